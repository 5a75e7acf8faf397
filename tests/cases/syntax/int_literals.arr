# Integer literals: decimal, underscores, hex.
# out: 42 1000000 31 255
# out: 1000001
print(42, 1_000_000, 0x1f, 0xFF)
print(1_000_000 + 1)
