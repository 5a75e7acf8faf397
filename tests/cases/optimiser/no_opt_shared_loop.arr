# A loop that uses its previous value twice per step is a DAG of 5,000 steps, not a tree of
# 2^5000 nodes: the memory plan (with or without the optimiser) counts each node once. With
# --no-opt this used to be refused as needing "16777216.0 TiB".
# flags: --no-opt
# out: [148.04283616264087, 148.04283616264087, 148.04283616264087]
y = ones(3)
for i in range(5000) {
    y = y + 0.001 * y
}
print(y)
