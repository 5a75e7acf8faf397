# if / else if / else as statements.
# out: small
# out: medium
# out: large
# out: done
fn size(x) {
    if x < 10 {
        print("small")
    } else if x < 100 {
        print("medium")
    } else {
        print("large")
    }
}
size(3)
size(50)
size(500)
if false { print("never") }
print("done")
