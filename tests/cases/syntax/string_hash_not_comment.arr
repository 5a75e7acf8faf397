# A `#` inside a string literal does not start a comment.
# out: a # b
# out: 5
print("a # b")
print(len("#x#y#"))  # a real comment
