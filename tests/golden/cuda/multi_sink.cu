// mul add sum max
extern "C" __global__ void __launch_bounds__(256) arr_kernel(
    const unsigned long long* __restrict__ geo,
    unsigned int* __restrict__ status,
    const unsigned long long n,
    const double* __restrict__ in0,
    double* __restrict__ out0,
    double* __restrict__ out1)
{
    const long long s0 = (long long)geo[0], d0 = (long long)geo[1];
    const long long st0_0 = (long long)geo[3];
    const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
    for (unsigned long long t = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; t < n; t += stride) {
        unsigned long long r = t;
        const long long i0 = (long long)r;
        const double v0 = in0[i0 * st0_0];
        const double v1 = (v0 * v0);
        const double v2 = (v1 + v0);
        out0[t] = v2;
        out1[t] = v1;
    }
}
