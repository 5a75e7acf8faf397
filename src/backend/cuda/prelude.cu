// The device functions every generated kernel may call (src/backend/cuda/prelude.cu).
//
// Each one is a port of the Rust definition it names, operation for operation, so that
// compiled with --fmad=false (no contraction of a*b+c), --prec-div=true, --prec-sqrt=true
// and --ftz=false it gives the same bits as the CPU backends: Philox4x32-10 and its
// transforms (src/kernel/philox.rs), the scalar semantics of src/scalar.rs and the
// conversions of data::convert. Integer arithmetic that may wrap is done in unsigned types
// (signed overflow is undefined in C++). No headers: NVRTC provides the math functions.

#define ARR_D(bits) __longlong_as_double((long long)(bits##ULL))

// ---- Philox4x32-10 (kernel::philox::philox4x32_10) ----

struct arr_block { unsigned int w0, w1, w2, w3; };

__device__ __forceinline__ arr_block arr_philox(unsigned int c0, unsigned int c1,
                                                unsigned int c2, unsigned int c3,
                                                unsigned int k0, unsigned int k1)
{
#pragma unroll
    for (int r = 0; r < 10; ++r) {
        if (r > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        const unsigned int hi0 = __umulhi(0xD2511F53u, c0);
        const unsigned int lo0 = 0xD2511F53u * c0;
        const unsigned int hi1 = __umulhi(0xCD9E8D57u, c2);
        const unsigned int lo1 = 0xCD9E8D57u * c2;
        const unsigned int n0 = hi1 ^ c1 ^ k0;
        const unsigned int n2 = hi0 ^ c3 ^ k1;
        c0 = n0;
        c1 = lo1;
        c2 = n2;
        c3 = lo0;
    }
    arr_block b;
    b.w0 = c0;
    b.w1 = c1;
    b.w2 = c2;
    b.w3 = c3;
    return b;
}

// The block of the pair holding flat index `idx` (counter = pair, stream, tag; key = seed).
__device__ __forceinline__ arr_block arr_pair_block(unsigned long long seed, unsigned int stream,
                                                    unsigned int tag, unsigned long long idx)
{
    const unsigned long long pair = idx / 2;
    return arr_philox((unsigned int)pair, (unsigned int)(pair >> 32), stream, tag,
                      (unsigned int)seed, (unsigned int)(seed >> 32));
}

// small_to_f64: an integer below 2^52, exactly.
__device__ __forceinline__ double arr_small_to_f64(unsigned long long n)
{
    return __longlong_as_double((long long)(0x4330000000000000ULL | n)) - 4503599627370496.0;
}

__device__ __forceinline__ unsigned long long arr_bits53(unsigned int hi, unsigned int lo)
{
    return ((unsigned long long)hi << 21) ^ ((unsigned long long)lo >> 11);
}

// unit53: bits53(hi, lo) * 2^-53, the integer converted as two exact halves.
__device__ __forceinline__ double arr_unit53(unsigned int hi, unsigned int lo)
{
    const unsigned long long n = arr_bits53(hi, lo);
    const double upper = arr_small_to_f64(n >> 32) * 4294967296.0;
    return (upper + arr_small_to_f64(n & 0xffffffffULL)) * ARR_D(0x3CA0000000000000);
}

// ln_normal: fdlibm's logarithm of a positive normal x, without its special cases.
__device__ __forceinline__ double arr_ln_normal(double x)
{
    const unsigned long long bits = (unsigned long long)__double_as_longlong(x);
    unsigned int high = (unsigned int)(bits >> 32) + (0x3ff00000u - 0x3fe6a09eu);
    const int k = (int)(high >> 20) - 0x3ff;
    high = (high & 0x000fffffu) + 0x3fe6a09eu;
    const double m = __longlong_as_double(
        (long long)(((unsigned long long)high << 32) | (bits & 0xffffffffULL)));
    const double f = m - 1.0;
    const double hfsq = 0.5 * f * f;
    const double s = f / (2.0 + f);
    const double z = s * s;
    const double w = z * z;
    const double t1 = w * (ARR_D(0x3fd999999997fa04)
                           + w * (ARR_D(0x3fcc71c51d8e78af) + w * ARR_D(0x3fc39a09d078c69f)));
    const double t2 = z * (ARR_D(0x3fe5555555555593)
                           + w * (ARR_D(0x3fd2492494229359)
                                  + w * (ARR_D(0x3fc7466496cb03de) + w * ARR_D(0x3fc2f112df3e5244))));
    const double r = t2 + t1;
    const double dk = (double)k;
    return s * (hfsq + r) + dk * ARR_D(0x3dea39ef35793c76) - hfsq + f
           + dk * ARR_D(0x3fe62e42fee00000);
}

__device__ __forceinline__ double arr_sin_kernel(double x)
{
    const double z = x * x;
    const double w = z * z;
    const double r = ARR_D(0x3f8111111110f8a6)
                     + z * (ARR_D(0xbf2a01a019c161d5) + z * ARR_D(0x3ec71de357b1fe7d))
                     + z * w * (ARR_D(0xbe5ae5e68a2b9ceb) + z * ARR_D(0x3de5d93a5acfd57c));
    const double v = z * x;
    return x + v * (ARR_D(0xbfc5555555555549) + z * r);
}

__device__ __forceinline__ double arr_cos_kernel(double x)
{
    const double z = x * x;
    const double w = z * z;
    const double r = z * (ARR_D(0x3fa555555555554c)
                          + z * (ARR_D(0xbf56c16c16c15177) + z * ARR_D(0x3efa01a019cb1590)))
                     + w * w * (ARR_D(0xbe927e4f809c52ad)
                                + z * (ARR_D(0x3e21ee9ebdb4b1c4) + z * ARR_D(0xbda8fae9be8838d4)));
    const double hz = 0.5 * z;
    const double w2 = 1.0 - hz;
    return w2 + (((1.0 - w2) - hz) + z * r);
}

// sin_cos_turn: (sin, cos) of 2 pi n / 2^53 for a 53-bit n.
__device__ __forceinline__ void arr_sin_cos_turn(unsigned long long n, double* sin_out,
                                                 double* cos_out)
{
    const unsigned long long quadrant = (n + (1ULL << 50)) >> 51;
    const unsigned long long rest = n - (quadrant << 51) + (1ULL << 51);
    const double x = (arr_small_to_f64(rest) - 2251799813685248.0) * ARR_D(0x3CC921FB54442D18);
    const unsigned long long s = (unsigned long long)__double_as_longlong(arr_sin_kernel(x));
    const unsigned long long c = (unsigned long long)__double_as_longlong(arr_cos_kernel(x));
    const unsigned long long swap = 0ULL - (quadrant & 1ULL);
    const unsigned long long sn = (c & swap) | (s & ~swap);
    const unsigned long long cs = (s & swap) | (c & ~swap);
    const unsigned long long sin_sign = (quadrant & 2ULL) << 62;
    const unsigned long long cos_sign = ((quadrant + 1ULL) & 2ULL) << 62;
    *sin_out = __longlong_as_double((long long)(sn ^ sin_sign));
    *cos_out = __longlong_as_double((long long)(cs ^ cos_sign));
}

// The standard normal at flat index `idx` (Box-Muller: even index radius*cos, odd radius*sin).
__device__ double arr_normal(unsigned long long seed, unsigned int stream, unsigned long long idx)
{
    const arr_block b = arr_pair_block(seed, stream, 0u, idx);
    const double ua = arr_unit53(b.w0, b.w1);
    const double radius = sqrt(2.0 * fabs(arr_ln_normal(1.0 - ua)));
    double sn, cs;
    arr_sin_cos_turn(arr_bits53(b.w2, b.w3), &sn, &cs);
    return (idx & 1ULL) ? radius * sn : radius * cs;
}

// The uniform in [0, 1) at flat index `idx`.
__device__ double arr_uniform(unsigned long long seed, unsigned int stream, unsigned long long idx)
{
    const arr_block b = arr_pair_block(seed, stream, 1u, idx);
    return (idx & 1ULL) ? arr_unit53(b.w2, b.w3) : arr_unit53(b.w0, b.w1);
}

// The integer in [low, high) at flat index `idx`; an empty range gives `low`.
__device__ long long arr_integers(unsigned long long seed, unsigned int stream,
                                  unsigned long long idx, long long low, long long high)
{
    if (high <= low) {
        return low;
    }
    const unsigned long long span = (unsigned long long)high - (unsigned long long)low;
    const arr_block b = arr_pair_block(seed, stream, 2u, idx);
    const unsigned long long word = (idx & 1ULL)
        ? (((unsigned long long)b.w2 << 32) | b.w3)
        : (((unsigned long long)b.w0 << 32) | b.w1);
    return (long long)((unsigned long long)low + __umul64hi(word, span));
}

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
