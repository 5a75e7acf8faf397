// sum mean std
extern "C" __global__ void __launch_bounds__(256) arr_leaf_sums(
    const unsigned long long* __restrict__ geo,
    unsigned int* __restrict__ status,
    const unsigned long long* __restrict__ bounds,
    const unsigned long long leaves,
    const unsigned int skip_nan,
    const double* __restrict__ in0,
    double* __restrict__ leaf_sum,
    unsigned int* __restrict__ leaf_count)
{
    const long long s0 = (long long)geo[0], d0 = (long long)geo[1];
    const long long s1 = (long long)geo[3], d1 = (long long)geo[4];
    const unsigned long long n1 = geo[5];
    const long long st0_0 = (long long)geo[6], st0_1 = (long long)geo[7];
    const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
    for (unsigned long long l = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; l < leaves; l += stride) {
        const unsigned long long first = bounds[l], len = bounds[l + 1] - first;
        const unsigned long long whole = len < 8 ? 0 : len & ~7ull;
        unsigned int count = 0;
        auto take = [&](const unsigned long long t) -> double {
            unsigned long long r = t;
            const long long i1 = (long long)(r % n1);
            r /= n1;
            const long long i0 = (long long)r;
            const double v0 = in0[i0 * st0_0 + i1 * st0_1];
            const double x = (double)v0;
            if (skip_nan && x != x) {
                return 0.0;
            }
            count++;
            return x;
        };
        double acc[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        for (unsigned long long c = 0; c < whole; c += 8) {
            #pragma unroll
            for (int k = 0; k < 8; k++) {
                acc[k] += take(first + c + k);
            }
        }
        double total = whole > 0
            ? ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
            : 0.0;
        for (unsigned long long e = whole; e < len; e++) {
            total += take(first + e);
        }
        leaf_sum[l] = total;
        leaf_count[l] = count;
    }
}
