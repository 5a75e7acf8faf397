# chunks="auto" is the default; every axis is covered exactly.
# out: true true
x = ones([300, 200])
y = ones([300, 200], chunks="auto")
print(sum(array(x.chunks[0])) == 300, sum(array(y.chunks[1])) == 200)
