# An unknown member of the random module.
# error: module `random` has no member `normall`
x = random.normall(0, 1, shape=3, seed=1)
