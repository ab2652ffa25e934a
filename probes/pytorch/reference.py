"""PyTorch reference: the overhead probes (an MLP, a small CNN, an LSTM and a transformer encoder) and the
realistic workloads (a ResNet-style CNN, a BERT-tiny-sized encoder, an LSTM of width 256), trained and
evaluated the way PyTorch's tutorials do: a plain stack of layers as an nn.Sequential, a model with its own
forward (the LSTM's last state, the transformer's positions, a residual block's shortcut) as an nn.Module."""

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
    def __init__(
        self, vocab_size=17, max_len=64, embed_dim=32, num_heads=2, ff_dim=64, num_layers=1, activation="relu"
    ):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.position = nn.Embedding(max_len, embed_dim)
        layer = nn.TransformerEncoderLayer(
            embed_dim, num_heads, ff_dim, dropout=0.0, activation=activation, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers)
        self.fc = nn.Linear(embed_dim, 10)

    def forward(self, tokens):
        positions = torch.arange(tokens.size(1), device=tokens.device)
        x = self.encoder(self.embedding(tokens) + self.position(positions))
        return self.fc(x.mean(dim=1))


class ResidualBlock(nn.Module):
    """ResNet's basic block: two 3x3 convolutions with batch norm, and a 1x1 projection where the shape changes."""

    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + self.shortcut(x))


def resnet(widths=(32, 64, 128)):
    layers = [nn.Conv2d(3, widths[0], 3, padding=1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU()]
    c_in = widths[0]
    for i, width in enumerate(widths):
        layers.append(ResidualBlock(c_in, width, stride=1 if i == 0 else 2))
        c_in = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(widths[-1], 10))


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
    if name == "resnet":
        return resnet()
    if name == "encoder":
        return Transformer(max_len=128, embed_dim=128, num_heads=2, ff_dim=512, num_layers=2, activation="gelu")
    if name == "lstm256":
        return RNN(embed_dim=64, hidden_size=256)
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


def main(name="cnn", epochs=5, batch_size=64, seed=0, learning_rate=3e-3):
    from probes.specs import digits_split

    torch.manual_seed(seed)

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    x_train, y_train, x_test, y_test = digits_split(name)
    train_loader = make_loader(x_train, y_train, batch_size)
    test_loader = make_loader(x_test, y_test, batch_size, shuffle=False)
    model = build_model(name).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        train_epoch(model, train_loader, optimizer, loss_fn, device)
    accuracy = evaluate(model, test_loader, device)
    print(f"test accuracy: {accuracy:.3f}")
    return accuracy


if __name__ == "__main__":
    main()
