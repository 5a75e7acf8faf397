# SYNTAX TEST "source.arr" "comments, strings, numbers, operators"
# a comment: 1 + "not a string" fn
# <- comment.line.number-sign.arr punctuation.definition.comment.arr
#                               ^^ comment.line.number-sign.arr - storage.type.function.arr
x = 1 # trailing comment
#     ^ comment.line.number-sign.arr punctuation.definition.comment.arr
#       ^^^^^^^^ comment.line.number-sign.arr
s = "tab\there \"quoted\" back\\slash new\nline"
#   ^ string.quoted.double.arr punctuation.definition.string.begin.arr
#       ^^ string.quoted.double.arr constant.character.escape.arr
#              ^^ string.quoted.double.arr constant.character.escape.arr
#                             ^^ string.quoted.double.arr constant.character.escape.arr
#                                        ^^ string.quoted.double.arr constant.character.escape.arr
#                ^^^^^^ string.quoted.double.arr - constant.character.escape.arr
bad = "\q # not a comment"
#      ^^ string.quoted.double.arr invalid.illegal.unknown-escape.arr
#         ^ string.quoted.double.arr - comment.line.number-sign.arr
n = 42 + 1_000_000 + 0x1f + 0XFF_FF
#   ^^ constant.numeric.integer.decimal.arr
#        ^^^^^^^^^ constant.numeric.integer.decimal.arr
#                    ^^^^ constant.numeric.integer.hexadecimal.arr
#                           ^^^^^^^ constant.numeric.integer.hexadecimal.arr
f = 1.5 + 1e-6 + 2. + .5 + 1_000.25e+3 + 3E7
#   ^^^ constant.numeric.float.arr
#         ^^^^ constant.numeric.float.arr
#                ^^ constant.numeric.float.arr
#    ^^ constant.numeric.float.arr
#                          ^^^^^^^^^^^ constant.numeric.float.arr
#                                        ^^^ constant.numeric.float.arr
v = x1 + f64 + u8
#   ^^ - constant.numeric.integer.decimal.arr
#        ^^^ support.type.dtype.arr - constant.numeric.integer.decimal.arr
#              ^^ support.type.dtype.arr
y = a + b - c * d / e // f % g ** h @ m
# ^ keyword.operator.assignment.arr
#     ^ keyword.operator.arithmetic.arr
#         ^ keyword.operator.arithmetic.arr
#             ^ keyword.operator.arithmetic.arr
#                 ^ keyword.operator.arithmetic.arr
#                     ^^ keyword.operator.arithmetic.arr
#                          ^ keyword.operator.arithmetic.arr
#                              ^^ keyword.operator.arithmetic.arr
#                                   ^ keyword.operator.matrix.arr
c = a == b != c < d <= e > f >= g
#     ^^ keyword.operator.comparison.arr
#          ^^ keyword.operator.comparison.arr
#                   ^^ keyword.operator.comparison.arr
#                            ^^ keyword.operator.comparison.arr
#               ^ keyword.operator.comparison.arr
m = (a & b) | ~c ^ d; not p and q or r
#   ^ punctuation.parenthesis.begin.arr
#      ^ keyword.operator.bitwise.arr
#         ^ punctuation.parenthesis.end.arr
#           ^ keyword.operator.bitwise.arr - storage.type.function.lambda.arr
#             ^ keyword.operator.bitwise.arr
#                ^ keyword.operator.bitwise.arr
#                   ^ punctuation.terminator.statement.arr
#                     ^^^ keyword.operator.logical.arr
#                           ^^^ keyword.operator.logical.arr
#                                 ^^ keyword.operator.logical.arr
t = x[..., 0][::2, newaxis] + \
#     ^^^ constant.other.ellipsis.arr
#             ^ punctuation.separator.colon.arr
#                  ^^^^^^^ constant.language.arr
#                             ^ punctuation.separator.continuation.line.arr
    1
