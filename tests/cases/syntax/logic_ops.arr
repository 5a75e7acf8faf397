# and / or / not on scalar host conditions; not binds looser than comparison.
# out: true false true
# out: true
# out: false true
print(true and not false, true and false, false or true)
print(not 1 > 2)
print(not true or false, true or false and false)
