# A shape error in the third iteration of a loop stops the script before the first prints.
# error: cannot broadcast f64[3] with f64[2]
# at: 6:9
for i in range(3) {
    print(i)
    y = ones(i + 1) + ones(2)
    print(y)
}
