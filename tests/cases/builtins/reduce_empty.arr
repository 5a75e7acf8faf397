# Reductions of empty arrays: sum 0.0, prod 1.0, mean nan (NumPy).
# out: 0.0 1.0 nan
# out: 0 false true
print(sum(zeros(0)), prod(zeros(0)), mean(zeros(0)))
print(sum(arange(0)), any(zeros(0)), all(zeros(0)))
