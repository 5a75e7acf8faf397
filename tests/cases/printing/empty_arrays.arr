# Empty 1-D arrays print as [].
# out: [] (0,)
# out: []
print(zeros(0), zeros(0).shape)
print(arange(3)[3:])
