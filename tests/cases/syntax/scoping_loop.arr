# Python scoping: a rebinding inside a loop updates the enclosing binding.
# out: 45
# out: 9
total = 0
for i in range(10) { total = total + i }
print(total)
print(i)
