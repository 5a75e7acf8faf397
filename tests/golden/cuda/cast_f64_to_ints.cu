// 
extern "C" __global__ void __launch_bounds__(256) arr_kernel(
    const unsigned long long* __restrict__ geo,
    unsigned int* __restrict__ status,
    const unsigned long long n,
    const double* __restrict__ in0,
    long long* __restrict__ out0,
    int* __restrict__ out1,
    unsigned char* __restrict__ out2,
    bool* __restrict__ out3,
    float* __restrict__ out4)
{
    const long long s0 = (long long)geo[0], d0 = (long long)geo[1];
    const long long st0_0 = (long long)geo[3];
    const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
    for (unsigned long long t = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; t < n; t += stride) {
        unsigned long long r = t;
        const long long i0 = (long long)r;
        const double v0 = in0[i0 * st0_0];
        const long long v1 = arr_f2i64((double)(v0));
        const int v2 = arr_i64_to_i32(arr_f2i64((double)(v0)));
        const unsigned char v3 = arr_i64_to_u8(arr_f2i64((double)(v0)));
        const bool v4 = (v0 != 0.0);
        const float v5 = ((float)(v0));
        out0[t] = v1;
        out1[t] = v2;
        out2[t] = v3;
        out3[t] = v4;
        out4[t] = v5;
    }
}
