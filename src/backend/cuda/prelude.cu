// The device functions every generated kernel may call (src/backend/cuda/prelude.cu).
//
// Each one is a port of the Rust definition it names, operation for operation, so that
// compiled with --fmad=false (no contraction of a*b+c), --prec-div=true, --prec-sqrt=true
// and --ftz=false it gives the same bits as the CPU backends: the scalar semantics of
// src/scalar.rs and the conversions of data::convert. (The random generators are not here:
// kernels carry them as ordinary arithmetic, src/kernel/random_ir.rs.) Integer arithmetic that may wrap is done in unsigned types
// (signed overflow is undefined in C++). No headers: NVRTC provides the math functions.

#define ARR_D(bits) __longlong_as_double((long long)(bits##ULL))

// ---- conversions (data::convert) ----

// A float to i64 as Rust's `as` does it: nan gives 0, out of range saturates.
__device__ __forceinline__ long long arr_f2i64(double v)
{
    if (v != v) {
        return 0;
    }
    if (v >= 9223372036854775808.0) {
        return (long long)0x7fffffffffffffffULL;
    }
    if (v <= -9223372036854775808.0) {
        return (long long)0x8000000000000000ULL;
    }
    return (long long)v;
}

__device__ __forceinline__ int arr_i64_to_i32(long long v)
{
    return (int)(unsigned int)(unsigned long long)v;
}

__device__ __forceinline__ unsigned char arr_i64_to_u8(long long v)
{
    return (unsigned char)(unsigned long long)v;
}

// ---- integer arithmetic (scalar.rs, int_arith!) ----

#define ARR_INT_OPS(T, U, NAME)                                                              \
    __device__ __forceinline__ T arr_add_##NAME(T a, T b) { return (T)((U)a + (U)b); }       \
    __device__ __forceinline__ T arr_sub_##NAME(T a, T b) { return (T)((U)a - (U)b); }       \
    __device__ __forceinline__ T arr_mul_##NAME(T a, T b) { return (T)((U)a * (U)b); }       \
    __device__ __forceinline__ T arr_neg_##NAME(T a) { return (T)((U)0 - (U)a); }            \
    __device__ __forceinline__ T arr_abs_##NAME(T a) { return a < 0 ? arr_neg_##NAME(a) : a; } \
    __device__ __forceinline__ T arr_sign_##NAME(T a) { return a > 0 ? (T)1 : (a < 0 ? (T)-1 : (T)0); } \
    __device__ __forceinline__ T arr_floordiv_##NAME(T a, T b)                               \
    {                                                                                        \
        if (b == 0) return 0;                                                                \
        if (b == -1) return arr_neg_##NAME(a);                                               \
        const T q = a / b;                                                                   \
        const T r = a % b;                                                                   \
        return (r != 0 && ((a < 0) != (b < 0))) ? (T)(q - 1) : q;                            \
    }                                                                                        \
    __device__ __forceinline__ T arr_mod_##NAME(T a, T b)                                    \
    {                                                                                        \
        if (b == 0 || b == -1) return 0;                                                     \
        const T r = a % b;                                                                   \
        return (r != 0 && ((r < 0) != (b < 0))) ? (T)(r + b) : r;                            \
    }                                                                                        \
    __device__ T arr_pow_##NAME(T a, T b)                                                    \
    {                                                                                        \
        if (b < 0) {                                                                         \
            if ((long long)a == 1) return 1;                                                 \
            if ((long long)a == -1) return ((long long)b % 2 == 0) ? (T)1 : a;               \
            return 0;                                                                        \
        }                                                                                    \
        U result = 1;                                                                        \
        U base = (U)a;                                                                       \
        unsigned long long e = (unsigned long long)(long long)b;                             \
        while (e > 0) {                                                                      \
            if (e & 1ULL) result = result * base;                                            \
            base = base * base;                                                              \
            e >>= 1;                                                                         \
        }                                                                                    \
        return (T)result;                                                                    \
    }

ARR_INT_OPS(long long, unsigned long long, i64)
ARR_INT_OPS(int, unsigned int, i32)

__device__ __forceinline__ unsigned char arr_add_u8(unsigned char a, unsigned char b) { return (unsigned char)(a + b); }
__device__ __forceinline__ unsigned char arr_sub_u8(unsigned char a, unsigned char b) { return (unsigned char)(a - b); }
__device__ __forceinline__ unsigned char arr_mul_u8(unsigned char a, unsigned char b) { return (unsigned char)((unsigned int)a * (unsigned int)b); }
__device__ __forceinline__ unsigned char arr_neg_u8(unsigned char a) { return (unsigned char)(0u - (unsigned int)a); }
__device__ __forceinline__ unsigned char arr_abs_u8(unsigned char a) { return a; }
__device__ __forceinline__ unsigned char arr_sign_u8(unsigned char a) { return a > 0 ? 1 : 0; }
__device__ __forceinline__ unsigned char arr_floordiv_u8(unsigned char a, unsigned char b) { return b == 0 ? 0 : (unsigned char)(a / b); }
__device__ __forceinline__ unsigned char arr_mod_u8(unsigned char a, unsigned char b) { return b == 0 ? 0 : (unsigned char)(a % b); }
__device__ unsigned char arr_pow_u8(unsigned char a, unsigned char b)
{
    unsigned int result = 1;
    unsigned int base = a;
    unsigned int e = b;
    while (e > 0) {
        if (e & 1u) result = (result * base) & 0xffu;
        base = (base * base) & 0xffu;
        e >>= 1;
    }
    return (unsigned char)result;
}

// ---- float semantics (scalar.rs, float_arith! and float_divmod) ----

// NumPy's divmod for floats: the floored quotient and the modulo with the divisor's sign.
__device__ void arr_divmod(double a, double b, double* q_out, double* m_out)
{
    if (b == 0.0) {
        *q_out = a / b;
        *m_out = fmod(a, b);
        return;
    }
    double m = fmod(a, b);
    double div = (a - m) / b;
    if (m != 0.0) {
        if ((b < 0.0) != (m < 0.0)) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = copysign(0.0, b);
    }
    double fl;
    if (div != 0.0) {
        fl = floor(div);
        if (div - fl > 0.5) {
            fl += 1.0;
        }
    } else {
        fl = copysign(0.0, a / b);
    }
    *q_out = fl;
    *m_out = m;
}

__device__ __forceinline__ double arr_floordiv_f64(double a, double b)
{
    double q, m;
    arr_divmod(a, b, &q, &m);
    return q;
}

__device__ __forceinline__ double arr_mod_f64(double a, double b)
{
    double q, m;
    arr_divmod(a, b, &q, &m);
    return m;
}

__device__ __forceinline__ float arr_floordiv_f32(float a, float b)
{
    return (float)arr_floordiv_f64((double)a, (double)b);
}

__device__ __forceinline__ float arr_mod_f32(float a, float b)
{
    return (float)arr_mod_f64((double)a, (double)b);
}

__device__ __forceinline__ double arr_sign_f64(double a)
{
    return a > 0.0 ? 1.0 : (a < 0.0 ? -1.0 : (a != a ? a : 0.0));
}

__device__ __forceinline__ float arr_sign_f32(float a)
{
    return a > 0.0f ? 1.0f : (a < 0.0f ? -1.0f : (a != a ? a : 0.0f));
}

// minimum/maximum: nan wins; otherwise the first operand on ties (scalar::minimum/maximum).
__device__ __forceinline__ double arr_min_f64(double a, double b) { return (a != a || (!(b != b) && a <= b)) ? a : b; }
__device__ __forceinline__ double arr_max_f64(double a, double b) { return (a != a || a >= b) ? a : b; }
__device__ __forceinline__ float arr_min_f32(float a, float b) { return (a != a || (!(b != b) && a <= b)) ? a : b; }
__device__ __forceinline__ float arr_max_f32(float a, float b) { return (a != a || a >= b) ? a : b; }

// nan_to_num_f64 (the f32 form calls it with clamped replacements, as scalar.rs does).
__device__ __forceinline__ double arr_nan_to_num(double a, double nan, double posinf, double neginf)
{
    if (a != a) return nan;
    if (a == __longlong_as_double(0x7ff0000000000000LL)) return posinf;
    if (a == -__longlong_as_double(0x7ff0000000000000LL)) return neginf;
    return a;
}

// Order-based minimum and maximum of integers and bools (no nan): the first operand on ties.
template <typename T> __device__ __forceinline__ T arr_min_ord(T a, T b) { return a <= b ? a : b; }
template <typename T> __device__ __forceinline__ T arr_max_ord(T a, T b) { return a >= b ? a : b; }

// ---- device sums (emit::leaf_sums_function, then this; exec::reduce::pairwise_sum) ----

// The sum of a run of `len` values whose leaves' sums are at leaf_sum[*next], ...: the tree
// of pairwise_sum (a run of at most 128 values is one leaf; a longer one splits at
// (len / 2) rounded down to a multiple of 8, left half first), advancing *next past them.
__device__ double arr_pairwise_tree(const double* leaf_sum, unsigned long long* next, unsigned long long len)
{
    if (len <= 128) {
        return leaf_sum[(*next)++];
    }
    const unsigned long long half = (len / 2) & ~7ull;
    const double left = arr_pairwise_tree(leaf_sum, next, half);
    const double right = arr_pairwise_tree(leaf_sum, next, len - half);
    return left + right;
}

// One thread per piece (launch::PieceLeaves): its sum in pairwise_sum's tree over its
// leaves, and the number of values its leaves added.
extern "C" __global__ void arr_piece_sums(
    const double* __restrict__ leaf_sum,
    const unsigned int* __restrict__ leaf_count,
    const unsigned long long* __restrict__ first_leaf,
    const unsigned long long* __restrict__ piece_len,
    const unsigned long long pieces,
    double* __restrict__ piece_sum,
    unsigned long long* __restrict__ piece_count)
{
    const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
    for (unsigned long long p = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; p < pieces; p += stride) {
        unsigned long long next = first_leaf[p];
        const unsigned long long first = next;
        piece_sum[p] = arr_pairwise_tree(leaf_sum, &next, piece_len[p]);
        unsigned long long count = 0;
        for (unsigned long long l = first; l < next; l++) {
            count += leaf_count[l];
        }
        piece_count[p] = count;
    }
}
