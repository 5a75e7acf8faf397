# SYNTAX TEST "source.arr" "functions, parameters, types, lambdas, control flow"
fn lj(r2) {
# <-- meta.function.arr storage.type.function.arr
#  ^^ meta.function.arr entity.name.function.arr
#    ^ meta.function.arr punctuation.definition.parameters.begin.arr
#     ^^ meta.function.arr variable.parameter.arr
#         ^ punctuation.section.block.begin.arr
    sr6 = (1 / r2) ** 3
    4 * (sr6 * sr6 - sr6)
}
# <- punctuation.section.block.end.arr
fn distances(c: f64[n, 3], k, s: str, m: bool[?], t: i64[...]) -> f64[n, n] {
#  ^^^^^^^^^ entity.name.function.arr
#            ^ meta.function.arr variable.parameter.arr
#             ^ meta.function.arr punctuation.separator.annotation.arr
#               ^^^ meta.function.arr meta.type.arr support.type.dtype.arr
#                  ^ meta.type.arr punctuation.definition.type.begin.arr
#                   ^ meta.type.arr variable.other.dimension.arr
#                      ^ meta.type.arr constant.numeric.integer.decimal.arr
#                       ^ meta.type.arr punctuation.definition.type.end.arr
#                          ^ meta.function.arr variable.parameter.arr
#                             ^ meta.function.arr variable.parameter.arr
#                                ^^^ meta.function.arr entity.name.type.arr
#                                        ^^^^ support.type.dtype.arr
#                                             ^ meta.type.arr keyword.operator.unknown-dimension.arr
#                                                        ^^^ meta.type.arr constant.other.ellipsis.arr
#                                                              ^^ punctuation.separator.annotation.result.arr
#                                                                 ^^^ meta.type.arr support.type.dtype.arr
#                                                                        ^ meta.type.arr variable.other.dimension.arr
    diff = c[:, newaxis, :] - c[newaxis, :, :]
    return (diff * diff).sum(axis=-1)
#   ^^^^^^ keyword.control.flow.arr
}
fn normalize(
    x: f32[n, d],
#   ^ meta.function.arr variable.parameter.arr
#      ^^^ meta.function.arr meta.type.arr support.type.dtype.arr
#             ^ meta.function.arr meta.type.arr variable.other.dimension.arr
    eps
#   ^^^ meta.function.arr variable.parameter.arr
) -> f32[n, d] { x / norm(x, axis=1, keepdims=true) }
# <- meta.function.arr punctuation.definition.parameters.end.arr
#    ^^^ support.type.dtype.arr
#                    ^^^^ support.function.prelude.arr
#                                             ^^^^ constant.language.boolean.arr
add = |a, b| a + b
#     ^ storage.type.function.lambda.arr
#      ^ variable.parameter.arr
#         ^ variable.parameter.arr
#          ^ storage.type.function.lambda.arr
#              ^ keyword.operator.arithmetic.arr
y = map_blocks(|blk| blk * 2, x) | mask
#              ^ storage.type.function.lambda.arr
#               ^^^ variable.parameter.arr
#                                ^ keyword.operator.bitwise.arr
thunk = || 42
#       ^^ storage.type.function.lambda.arr
fn make() { return |v| v + 1 }
#           ^^^^^^ keyword.control.flow.arr
#                  ^ storage.type.function.lambda.arr
#                   ^ variable.parameter.arr
total = 0; for i in range(10) { total = total + i }
#          ^^^ keyword.control.repeat.arr
#                ^^ keyword.control.repeat.arr
#                   ^^^^^ support.function.builtin.arr
z = if x.ndim > 1 { 1 } else if false { 2 } else { 3 }
#   ^^ keyword.control.conditional.arr
#                       ^^^^ keyword.control.conditional.arr
#                            ^^ keyword.control.conditional.arr
#                               ^^^^^ constant.language.boolean.arr
import "lib/other.arr"
# <------ keyword.control.import.arr
#      ^^^^^^^^^^^^^^^ string.quoted.double.arr
q, r = linalg.qr(m)
#      ^^^^^^ entity.name.namespace.arr
