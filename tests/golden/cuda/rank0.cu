// sqrt
extern "C" __global__ void __launch_bounds__(256) arr_kernel(
    const unsigned long long* __restrict__ geo,
    unsigned int* __restrict__ status,
    const unsigned long long n,
    double* __restrict__ out0)
{
    const unsigned long long p0 = geo[0];
    const long long s0 = (long long)geo[1], d0 = (long long)geo[2];
    const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
    for (unsigned long long t = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; t < n; t += stride) {
        unsigned long long r = t;
        const long long i0 = (long long)r;
        const double v0 = __longlong_as_double((long long)p0);
        const double v1 = sqrt(v0);
        out0[t] = v1;
    }
}
