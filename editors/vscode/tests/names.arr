# SYNTAX TEST "source.arr" "builtins, modules, calls, methods, attributes, constants"
x = random.normal(10, 0.1, shape=[200, 300], chunks=[100, 100], seed=42)
#   ^^^^^^ meta.function-call.arr entity.name.namespace.arr
#         ^ meta.function-call.arr punctuation.accessor.arr
#          ^^^^^^ meta.function-call.arr support.function.builtin.arr
#                ^ meta.function-call.arr punctuation.definition.arguments.begin.arr
#                          ^^^^^ meta.function-call.arr variable.parameter.keyword.arr
#                               ^ meta.function-call.arr keyword.operator.assignment.arr
#                                            ^^^^^^ variable.parameter.keyword.arr
#                                                               ^^^^ variable.parameter.keyword.arr
#                                                                      ^ meta.function-call.arr punctuation.definition.arguments.end.arr
random.seed(7); u = random.uniform(0, 1, shape=10); g = random
# <------ entity.name.namespace.arr
#      ^^^^ support.function.builtin.arr
#                          ^^^^^^^ support.function.builtin.arr
#                                                       ^^^^^^ entity.name.namespace.arr
y = x.mean(axis=0)[::100]
#    ^ meta.method-call.arr punctuation.accessor.arr
#     ^^^^ meta.method-call.arr support.function.builtin.arr
#          ^^^^ meta.method-call.arr variable.parameter.keyword.arr
print(y.shape, y.dtype, y.ndim, y.size, y.nbytes, y.chunks, m.T)
# <----- meta.function-call.arr support.function.builtin.arr
#       ^^^^^ support.variable.property.arr
#                ^^^^^ support.variable.property.arr
#                         ^^^^ support.variable.property.arr
#                                 ^^^^ support.variable.property.arr
#                                         ^^^^^^ support.variable.property.arr
#                                                   ^^^^^^ support.variable.property.arr
#                                                             ^ support.variable.property.arr
z = zscore(y).normalize(eps=1e-6).other
#   ^^^^^^ meta.function-call.arr entity.name.function.call.arr
#             ^^^^^^^^^ meta.method-call.arr entity.name.function.method.arr
#                       ^^^ variable.parameter.keyword.arr
#                                 ^^^^^ variable.other.member.arr
s = sqrt(abs(x)) + sum(x, axis=1) + hstack([a, b]) + where(x > 0, x, 0)
#   ^^^^ support.function.builtin.arr
#        ^^^ support.function.builtin.arr
#                  ^^^ support.function.builtin.arr
#                                   ^^^^^^ support.function.prelude.arr
#                                                    ^^^^^ support.function.builtin.arr
#                         ^^^^ variable.parameter.keyword.arr
k = astype(x, f32) + astype(x, "f32")
#   ^^^^^^ support.function.builtin.arr
#             ^^^ meta.function-call.arr support.type.dtype.arr
c = pi * e + nan + inf + none + newaxis
#   ^^ constant.language.arr
#        ^ constant.language.arr
#            ^^^ constant.language.arr
#                  ^^^ constant.language.arr
#                        ^^^^ constant.language.arr
#                               ^^^^^^^ constant.language.arr
a, b = f(x == 1, y >= 2)
#    ^ keyword.operator.assignment.arr
#          ^^ keyword.operator.comparison.arr
#                  ^^ keyword.operator.comparison.arr
#        ^ - variable.parameter.keyword.arr
sums = summary + max_x + e2
#      ^^^^^^^ - support.function.builtin.arr
#                ^^^^^ - support.function.builtin.arr
#                        ^^ - constant.language.arr
w = compute(
    ones(20, chunks=5)[::2],
#   ^^^^ meta.function-call.arr support.function.builtin.arr
#            ^^^^^^ meta.function-call.arr variable.parameter.keyword.arr
    dtype=i64,
#   ^^^^^ meta.function-call.arr variable.parameter.keyword.arr
#         ^^^ meta.function-call.arr support.type.dtype.arr
)
# <- meta.function-call.arr punctuation.definition.arguments.end.arr
after = 1
# <----- - meta.function-call.arr
