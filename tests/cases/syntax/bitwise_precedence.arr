# Precedence: | looser than ^ looser than & looser than + -; all tighter than comparison.
# out: 7 7 1
# out: 7 2
# out: true
# out: 5
print(1 | 2 & 3 ^ 4, 6 ^ 3 & 1 | 0, 1 & 3)
print(1 | 2 ^ 4, 1 + 1 & 3)
print(1 | 2 == 3)
print(4 | 1 ^ 0 & 7)
