# A shape error found when checking a later call of a generic function stops the whole script.
# error: cannot broadcast
# at: 4:16
fn add(a, b) { a + b }
print(add(ones(2), ones(2)))
print("still nothing")
print(add(ones(2), ones(3)))
