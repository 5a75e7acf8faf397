# Sums, products and scans of bool, u8 and i32 accumulate in i64 (LANGUAGE.md §4).
# out: 60000 i64
# out: 6442450941 i64
# out: 5 i64
# out: 60000 i64
# out: 1000000 i64
u = full(300, 200, dtype=u8)
i = full(3, 2147483647, dtype=i32)
b = ones(5, dtype=bool)
print(sum(u), sum(u).dtype)
print(sum(i), sum(i).dtype)
print(sum(b), sum(b).dtype)
print(cumsum(u)[-1], cumsum(u).dtype)
print(prod(full(3, 100, dtype=i32)), prod(full(3, 100, dtype=i32)).dtype)
