// random.normal
extern "C" __global__ void __launch_bounds__(256) arr_kernel(
    const unsigned long long* __restrict__ geo,
    unsigned int* __restrict__ status,
    const unsigned long long n,
    double* __restrict__ out0)
{
    const unsigned long long p0 = geo[0];
    const unsigned long long p1 = geo[1];
    const long long s0 = (long long)geo[2], d0 = (long long)geo[3];
    const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
    for (unsigned long long t = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; t < n; t += stride) {
        unsigned long long r = t;
        const long long i0 = (long long)r;
        const long long f0 = (long long)((unsigned long long)((long long)0x5ull) + (unsigned long long)((long long)0x3ull) * (unsigned long long)(s0 + d0 * i0));
        double v0 = 0.0;
        if (f0 < 0) atomicOr(status, 1u); else v0 = arr_normal(p0, (unsigned int)p1, (unsigned long long)f0);
        out0[t] = v0;
    }
}
