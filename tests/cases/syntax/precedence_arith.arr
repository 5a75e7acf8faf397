# Precedence of + - * / // % and parentheses; - and / are left-associative.
# out: 7 9 -1 2.5 3 1
# out: 14 -2 2.0
# out: true
print(1 + 2 * 3, (1 + 2) * 3, 1 - 4 // 2, 5 / 2, 7 // 2, 7 % 3)
print(2 * 3 + 4 * 2, 10 - 4 - 8, 12 / 3 / 2)
print(1 + 2 < 2 * 2)
