# A map_blocks function whose blocks disagree with chunks= is refused before anything runs.
# error: the function's blocks have lengths [2, 2, 2] on axis 0, but chunks= says [4, 4, 4]
# at: 5:37
x = arange(10.0, chunks=4)
y = map_blocks(|b| b[:2], x, chunks=[4])
