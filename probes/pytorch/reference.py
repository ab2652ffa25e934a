"""PyTorch reference: the MLP, the small CNN, an LSTM and a transformer encoder, trained and evaluated
the way PyTorch's tutorials do: a plain stack of layers as an nn.Sequential, a model with its own
forward (the LSTM's last state, the transformer's positions) as an nn.Module."""

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class RNN(nn.Module):
    def __init__(self, vocab_size=17, embed_dim=32, hidden_size=64):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, 10)

    def forward(self, tokens):
        _, (hidden, _) = self.lstm(self.embedding(tokens))
        return self.fc(hidden[-1])


class Transformer(nn.Module):
    def __init__(self, vocab_size=17, max_len=64, embed_dim=32, num_heads=2, ff_dim=64):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.position = nn.Embedding(max_len, embed_dim)
        self.encoder = nn.TransformerEncoderLayer(
            embed_dim, num_heads, ff_dim, dropout=0.0, batch_first=True
        )
        self.fc = nn.Linear(embed_dim, 10)

    def forward(self, tokens):
        positions = torch.arange(tokens.size(1), device=tokens.device)
        x = self.encoder(self.embedding(tokens) + self.position(positions))
        return self.fc(x.mean(dim=1))


def build_model(name):
    if name == "mlp":
        return nn.Sequential(
            nn.Linear(64, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 10),
        )
    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(3, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(16 * 6 * 6, 10),
        )
    return {"rnn": RNN, "transformer": Transformer}[name]()


def to_tensors(x, y):
    """Numpy arrays (channels last) to tensors (channels first, as PyTorch convolutions expect)."""
    inputs = torch.from_numpy(x)
    if inputs.ndim == 4:
        inputs = inputs.permute(0, 3, 1, 2).contiguous()
    return inputs, torch.from_numpy(y)


def make_loader(x, y, batch_size, shuffle=True):
    return DataLoader(TensorDataset(*to_tensors(x, y)), batch_size=batch_size, shuffle=shuffle)


def train_epoch(model, batches, optimizer, loss_fn, device):
    model.train()
    for inputs, labels in batches:
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), labels)
        loss.backward()
        optimizer.step()
    return loss.item()


def evaluate(model, batches, device):
    model.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for inputs, labels in batches:
            inputs, labels = inputs.to(device), labels.to(device)
            predicted = model(inputs).argmax(dim=1)
            correct += (predicted == labels).sum().item()
            total += labels.size(0)
    return correct / total


def main(name="cnn", epochs=5, batch_size=64, seed=0):
    from probes.specs import digits_split

    torch.manual_seed(seed)

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    x_train, y_train, x_test, y_test = digits_split(name)
    train_loader = make_loader(x_train, y_train, batch_size)
    test_loader = make_loader(x_test, y_test, batch_size, shuffle=False)
    model = build_model(name).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        train_epoch(model, train_loader, optimizer, loss_fn, device)
    accuracy = evaluate(model, test_loader, device)
    print(f"test accuracy: {accuracy:.3f}")
    return accuracy


if __name__ == "__main__":
    main()
