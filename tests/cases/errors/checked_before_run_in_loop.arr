# A shape error inside a loop body stops the script before the first iteration prints.
# error: cannot broadcast
for i in range(3) {
    print(i)
    y = ones(2) * ones(5)
}
