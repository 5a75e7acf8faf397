# Error columns count characters, not bytes: the two-byte letters before the error count once.
# error: cannot broadcast f64[2] with f64[3]
# at: 4:15
x = "éé"; y = ones(2) + ones(3)
