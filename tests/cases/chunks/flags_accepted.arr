# Command-line options of LANGUAGE.md §13 don't change results.
# flags: --no-progress --backend interp --device cpu --memory-limit 4GiB
# out: 45 4.5
x = arange(10, chunks=3)
print(sum(x), mean(x))
