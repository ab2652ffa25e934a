"""Framework code two folders share, as keras/src/backend/common/ holds what Keras's backends share.

Keras 3 on TensorFlow runs on TensorFlow's runtime, and Keras 3 on PyTorch on PyTorch's: threads,
devices, GPU memory, tf.data and tf.distribute, a traced function's error messages, SavedModel,
torch.export and ExecuTorch are the same there as for the framework used directly. That code lives
here, one module per runtime, imported by both folders; a framework folder never imports another's.
"""
