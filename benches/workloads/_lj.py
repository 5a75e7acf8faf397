"""The Lennard-Jones pieces shared by the W5 Dask and NumPy scripts (as in the tutorial)."""
import numpy as np


def make_cluster(n):
    """Coordinates in [-500, 500): the same integer formula as the Arr scripts."""
    i = np.arange(n)[:, None]
    a = np.array([7919, 104729, 15485863])
    b = np.array([1299709, 3571, 611953])
    return ((i * i * a + i * b) % 1000003) / 1000003.0 * 1000.0 - 500.0


def lj(r2):
    sr6 = (1. / r2) ** 3
    pot = 4. * (sr6 * sr6 - sr6)
    return pot


def distances(cluster):
    diff = cluster[:, np.newaxis, :] - cluster[np.newaxis, :, :]
    mat = (diff * diff).sum(-1)
    return mat
