"""Functions a spawned DataLoader worker unpickles by reference. They live apart from the test modules, which
import torchvision: on a machine with only a CPU torch wheel, torchvision imports only after conftest.py's schemas,
which a spawned worker does not run."""

import numpy as np
import torch


def only_sample(batch):
    return batch[0]


def to_tensor(image):
    return torch.from_numpy(np.array(image))
