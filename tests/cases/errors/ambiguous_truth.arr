# An `if` condition of shape other than () is an error, as NumPy's ambiguous truth value.
# error: an `if` condition must be a scalar bool, not bool[3]
# at: 5:4
# golden
if ones(3) > 0 {
    print("yes")
}
