# Name errors anywhere stop the script before it runs, even in a function never called.
# error: unknown name `undefined_thing`
# at: 6:13
print("before")
fn never_called(x) {
    x + 1 + undefined_thing
}
