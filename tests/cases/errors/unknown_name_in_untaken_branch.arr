# Name errors anywhere stop the script before it runs, even in a branch not taken.
# error: unknown name `nope`
# at: 6:11
print("before")
if 1 > 2 {
    print(nope)
}
