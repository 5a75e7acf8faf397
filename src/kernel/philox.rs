//! Counter-based random numbers: the Philox4x32-10 block function and the random streams built on it.
//!
//! Every random value is a pure function of a seed, a stream number and a flat element index,
//! so any element of a random array can be computed independently, in any order and on any thread.
//! Two neighbouring indices (an even index and the odd one after it) share one Philox block.

/// The multiplier applied to counter word 0 in every Philox round.
pub(crate) const MUL0: u32 = 0xD251_1F53;
/// The multiplier applied to counter word 2 in every Philox round.
pub(crate) const MUL1: u32 = 0xCD9E_8D57;
/// The Weyl increment added to key word 0 between rounds.
pub(crate) const WEYL0: u32 = 0x9E37_79B9;
/// The Weyl increment added to key word 1 between rounds.
pub(crate) const WEYL1: u32 = 0xBB67_AE85;

/// The counter tag that reserves a block for normal variates.
pub(crate) const TAG_NORMAL: u32 = 0;
/// The counter tag that reserves a block for uniform variates.
pub(crate) const TAG_UNIFORM: u32 = 1;
/// The counter tag that reserves a block for integer variates.
pub(crate) const TAG_INTEGERS: u32 = 2;

/// The factor 2^-53 that maps a 53-bit integer into [0, 1).
pub(crate) const TWO_POW_MINUS_53: f64 = 1.0 / 9_007_199_254_740_992.0;

/// Returns the high and low 32-bit halves of the 64-bit product `a * b`.
#[inline(always)]
fn mulhilo(a: u32, b: u32) -> (u32, u32) {
    let product = u64::from(a) * u64::from(b);
    ((product >> 32) as u32, product as u32)
}

/// Applies one Philox4x32 round to `ctr` with the round key `key`.
#[inline(always)]
fn round(ctr: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let (hi0, lo0) = mulhilo(MUL0, ctr[0]);
    let (hi1, lo1) = mulhilo(MUL1, ctr[2]);
    [hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0]
}

/// Computes the Philox4x32-10 block for `counter` under `key` (Salmon et al., Random123).
#[inline(always)]
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut ctr = round(counter, key);
    let mut k = key;
    for _ in 1..10 {
        k = [k[0].wrapping_add(WEYL0), k[1].wrapping_add(WEYL1)];
        ctr = round(ctr, k);
    }
    ctr
}

/// The number of pairs that the fill fast paths compute together, so that the compiler can
/// process several Philox blocks side by side in vector registers. Their transforms run in
/// sub-groups of `TRANSFORM_LANES`: one Box–Muller transform has many live values, and 16
/// lanes of it at once spill registers. Measured on a 2-core AVX2 EPYC, one thread: 16
/// Philox lanes instead of 8 take a strided uniform fill from 7.4 to 4.8 ns per value and
/// W3 from 13.6 to 12.2 ns per kept element; 32 lanes spill and are slower than 8.
const LANES: usize = 16;

/// The lanes of one transform sub-group (see `LANES`).
const TRANSFORM_LANES: usize = 8;

/// Applies one Philox4x32 round with the round key (`k0`, `k1`) to `LANES` blocks held as four
/// word arrays of zero-extended 64-bit lanes.
///
/// Every word stays below 2^32, so the masks before the multiplies change nothing; they let the
/// compiler see that only 32x32->64-bit products are needed, which the vector multiply of SSE2
/// and AVX2 computes directly.
#[inline(always)]
fn round_lanes(x: &mut [[u64; LANES]; 4], k0: u64, k1: u64) {
    const LOW: u64 = 0xffff_ffff;
    let [x0, x1, x2, x3] = x;
    for lane in 0..LANES {
        let p0 = (x0[lane] & LOW) * u64::from(MUL0);
        let p1 = (x2[lane] & LOW) * u64::from(MUL1);
        x0[lane] = (p1 >> 32) ^ x1[lane] ^ k0;
        x1[lane] = p1 & LOW;
        x2[lane] = (p0 >> 32) ^ x3[lane] ^ k1;
        x3[lane] = p0 & LOW;
    }
}

/// Computes the Philox4x32-10 blocks of the `LANES` consecutive pairs starting at `pair`, with
/// `word2` and `word3` in counter words 2 and 3, as four arrays indexed by lane (one per word).
///
/// Each lane gives bitwise the same block as [`philox4x32_10`], its words zero-extended to 64
/// bits (every word stays below 2^32 throughout). The ten rounds are written out so that the
/// compiler keeps the whole computation in one straight-line block of vector instructions.
#[inline(always)]
fn philox_lanes(pair: u64, word2: u32, word3: u32, key: [u32; 2]) -> [[u64; LANES]; 4] {
    let mut pairs = [0u64; LANES];
    for (lane, p) in pairs.iter_mut().enumerate() {
        *p = pair.wrapping_add(lane as u64);
    }
    philox_lanes_at(pairs, word2, word3, key)
}

/// Like [`philox_lanes`], for any `LANES` pair numbers (one per lane).
#[inline(always)]
fn philox_lanes_at(
    pairs: [u64; LANES],
    word2: u32,
    word3: u32,
    key: [u32; 2],
) -> [[u64; LANES]; 4] {
    let mut x = [
        [0u64; LANES],
        [0; LANES],
        [u64::from(word2); LANES],
        [u64::from(word3); LANES],
    ];
    let [low_words, high_words, _, _] = &mut x;
    for ((low, high), p) in low_words.iter_mut().zip(high_words).zip(pairs) {
        *low = p & 0xffff_ffff;
        *high = p >> 32;
    }
    // The key of round r is the seed key plus r Weyl increments (modulo 2^32).
    let k0 = |r: u32| u64::from(key[0].wrapping_add(WEYL0.wrapping_mul(r)));
    let k1 = |r: u32| u64::from(key[1].wrapping_add(WEYL1.wrapping_mul(r)));
    round_lanes(&mut x, k0(0), k1(0));
    round_lanes(&mut x, k0(1), k1(1));
    round_lanes(&mut x, k0(2), k1(2));
    round_lanes(&mut x, k0(3), k1(3));
    round_lanes(&mut x, k0(4), k1(4));
    round_lanes(&mut x, k0(5), k1(5));
    round_lanes(&mut x, k0(6), k1(6));
    round_lanes(&mut x, k0(7), k1(7));
    round_lanes(&mut x, k0(8), k1(8));
    round_lanes(&mut x, k0(9), k1(9));
    x
}

/// Converts an integer below 2^52 to `f64` exactly, with integer and float operations that
/// vectorize (unlike a plain `as f64` from `u64` on most x86-64 targets).
#[inline(always)]
fn small_to_f64(n: u64) -> f64 {
    f64::from_bits(0x4330_0000_0000_0000 | n) - 4_503_599_627_370_496.0
}

/// Returns the 53-bit integer `(hi << 21) ^ (lo >> 11)` that defines a uniform.
#[inline(always)]
fn bits53(hi: u32, lo: u32) -> u64 {
    (u64::from(hi) << 21) ^ (u64::from(lo) >> 11)
}

/// Builds a 53-bit uniform in [0, 1) from two output words: `bits53(hi, lo) * 2^-53`.
///
/// The integer is converted as two exact halves, so the result equals `bits53(hi, lo) as f64 * 2^-53`.
#[inline(always)]
fn unit53(hi: u32, lo: u32) -> f64 {
    let n = bits53(hi, lo);
    let upper = small_to_f64(n >> 32) * 4_294_967_296.0;
    (upper + small_to_f64(n & 0xffff_ffff)) * TWO_POW_MINUS_53
}

/// The upper part of ln 2, with trailing zero bits so that `k * LN2_HI` is exact.
pub(crate) const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
/// The remainder ln 2 - `LN2_HI`.
pub(crate) const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// The coefficients of the logarithm's polynomial in s^2, where s = f / (2 + f) (fdlibm).
pub(crate) const LG: [f64; 7] = [
    f64::from_bits(0x3fe5_5555_5555_5593),
    f64::from_bits(0x3fd9_9999_9997_fa04),
    f64::from_bits(0x3fd2_4924_9422_9359),
    f64::from_bits(0x3fcc_71c5_1d8e_78af),
    f64::from_bits(0x3fc7_4664_96cb_03de),
    f64::from_bits(0x3fc3_9a09_d078_c69f),
    f64::from_bits(0x3fc2_f112_df3e_5244),
];

/// Computes the natural logarithm of a positive, finite, normal `x` without branches.
///
/// This is the fdlibm algorithm (as in musl and FreeBSD), accurate to within one unit in the
/// last place; unlike the C library it skips the checks for zero, subnormal, negative, infinite
/// and NaN arguments, which the callers never pass.
#[inline(always)]
fn ln_normal(x: f64) -> f64 {
    let bits = x.to_bits();
    // Reduce x to 2^k * (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)).
    let high = ((bits >> 32) as u32).wrapping_add(0x3ff0_0000 - 0x3fe6_a09e);
    let k = (high >> 20) as i32 - 0x3ff;
    let high = (high & 0x000f_ffff) + 0x3fe6_a09e;
    let m = f64::from_bits((u64::from(high) << 32) | (bits & 0xffff_ffff));
    let f = m - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG[1] + w * (LG[3] + w * LG[5]));
    let t2 = z * (LG[0] + w * (LG[2] + w * (LG[4] + w * LG[6])));
    let r = t2 + t1;
    let dk = f64::from(k);
    s * (hfsq + r) + dk * LN2_LO - hfsq + f + dk * LN2_HI
}

/// The coefficients of the sine polynomial on [-pi/4, pi/4] (fdlibm `__kernel_sin`).
pub(crate) const SIN: [f64; 6] = [
    f64::from_bits(0xbfc5_5555_5555_5549),
    f64::from_bits(0x3f81_1111_1110_f8a6),
    f64::from_bits(0xbf2a_01a0_19c1_61d5),
    f64::from_bits(0x3ec7_1de3_57b1_fe7d),
    f64::from_bits(0xbe5a_e5e6_8a2b_9ceb),
    f64::from_bits(0x3de5_d93a_5acf_d57c),
];

/// The coefficients of the cosine polynomial on [-pi/4, pi/4] (fdlibm `__kernel_cos`).
pub(crate) const COS: [f64; 6] = [
    f64::from_bits(0x3fa5_5555_5555_554c),
    f64::from_bits(0xbf56_c16c_16c1_5177),
    f64::from_bits(0x3efa_01a0_19cb_1590),
    f64::from_bits(0xbe92_7e4f_809c_52ad),
    f64::from_bits(0x3e21_ee9e_bdb4_b1c4),
    f64::from_bits(0xbda8_fae9_be88_38d4),
];

/// Computes sin x for |x| <= pi/4 (fdlibm `__kernel_sin` without a tail).
#[inline(always)]
fn sin_kernel(x: f64) -> f64 {
    let z = x * x;
    let w = z * z;
    let r = SIN[1] + z * (SIN[2] + z * SIN[3]) + z * w * (SIN[4] + z * SIN[5]);
    let v = z * x;
    x + v * (SIN[0] + z * r)
}

/// Computes cos x for |x| <= pi/4 (fdlibm `__kernel_cos` without a tail).
#[inline(always)]
fn cos_kernel(x: f64) -> f64 {
    let z = x * x;
    let w = z * z;
    let r = z * (COS[0] + z * (COS[1] + z * COS[2])) + w * w * (COS[3] + z * (COS[4] + z * COS[5]));
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    w + (((1.0 - w) - hz) + z * r)
}

/// The angle 2π / 2^53 that one unit of a 53-bit turn fraction stands for.
pub(crate) const TURN_UNIT: f64 = std::f64::consts::TAU * TWO_POW_MINUS_53;

/// Returns (sin θ, cos θ) for θ = 2π n / 2^53, where `n` is a 53-bit integer.
///
/// The quarter turn is split off exactly in integer arithmetic, so only the remaining angle in
/// [-π/4, π/4] goes through the polynomial kernels; the result is accurate to about one unit in
/// the last place, and the code is branch-free so that it vectorizes.
#[inline(always)]
fn sin_cos_turn(n: u64) -> (f64, f64) {
    // The nearest quarter turn, from 0 to 4, and the signed remainder in [-2^50, 2^50).
    let quadrant = (n + (1 << 50)) >> 51;
    let rest = n.wrapping_sub(quadrant << 51).wrapping_add(1 << 51);
    // `rest` now lies in [2^50, 3 * 2^50), so both conversions below are exact.
    let x = (small_to_f64(rest) - 2_251_799_813_685_248.0) * TURN_UNIT;
    let s = sin_kernel(x).to_bits();
    let c = cos_kernel(x).to_bits();
    // Odd quadrants swap sine and cosine; quadrants 2 and 3 negate the sine, 1 and 2 the cosine.
    let swap = 0u64.wrapping_sub(quadrant & 1);
    let sin = (c & swap) | (s & !swap);
    let cos = (s & swap) | (c & !swap);
    let sin_sign = (quadrant & 2) << 62;
    let cos_sign = (quadrant.wrapping_add(1) & 2) << 62;
    (
        f64::from_bits(sin ^ sin_sign),
        f64::from_bits(cos ^ cos_sign),
    )
}

/// Joins two output words into one 64-bit word, `hi` in the upper half.
#[inline(always)]
fn join64(hi: u32, lo: u32) -> u64 {
    (u64::from(hi) << 32) | u64::from(lo)
}

/// Turns one Philox block into the two normals of a pair with the Box–Muller transform.
///
/// The first value belongs to the even index and the second to the odd index.
#[inline(always)]
fn box_muller(w0: u32, w1: u32, w2: u32, w3: u32) -> (f64, f64) {
    let ua = unit53(w0, w1);
    // The argument 1 - ua is exact and lies in [2^-53, 1], so the logarithm is finite and never
    // positive; taking its absolute value keeps a zero radius positive.
    let radius = (2.0 * ln_normal(1.0 - ua).abs()).sqrt();
    let (sin, cos) = sin_cos_turn(bits53(w2, w3));
    (radius * cos, radius * sin)
}

/// Returns the width of [low, high) as an unsigned 64-bit span, or zero when the range is empty.
#[inline(always)]
fn span(low: i64, high: i64) -> u64 {
    let width = i128::from(high) - i128::from(low);
    if width <= 0 { 0 } else { width as u64 }
}

/// Maps a 64-bit random word into [low, low + span) by a widening multiply.
#[inline(always)]
fn scale_integer(word: u64, low: i64, span: u64) -> i64 {
    let offset = ((u128::from(word) * u128::from(span)) >> 64) as u64;
    low.wrapping_add(offset as i64)
}

/// A distribution that turns the four words of one Philox block into the values of a pair.
///
/// The per-index functions and the fill fast paths share these definitions, which is what
/// makes their results bitwise equal.
trait PairDistribution: Copy {
    /// The type of the values.
    type Value: Copy + Default;
    /// The counter tag that reserves blocks for this distribution.
    const TAG: u32;
    /// Returns the values at the even and at the odd index of the pair whose block is `w`.
    fn pair(self, w0: u32, w1: u32, w2: u32, w3: u32) -> [Self::Value; 2];
}

/// Standard normal variates by the Box–Muller transform.
#[derive(Clone, Copy)]
struct Normal;

impl PairDistribution for Normal {
    type Value = f64;
    const TAG: u32 = TAG_NORMAL;
    #[inline(always)]
    fn pair(self, w0: u32, w1: u32, w2: u32, w3: u32) -> [f64; 2] {
        let (even, odd) = box_muller(w0, w1, w2, w3);
        [even, odd]
    }
}

/// Uniform variates in [0, 1) with 53 random bits.
#[derive(Clone, Copy)]
struct Uniform;

impl PairDistribution for Uniform {
    type Value = f64;
    const TAG: u32 = TAG_UNIFORM;
    #[inline(always)]
    fn pair(self, w0: u32, w1: u32, w2: u32, w3: u32) -> [f64; 2] {
        [unit53(w0, w1), unit53(w2, w3)]
    }
}

/// Integer variates in [low, low + span), where `span` is not zero.
#[derive(Clone, Copy)]
struct Integers {
    /// The smallest value.
    low: i64,
    /// The number of possible values.
    span: u64,
}

impl PairDistribution for Integers {
    type Value = i64;
    const TAG: u32 = TAG_INTEGERS;
    #[inline(always)]
    fn pair(self, w0: u32, w1: u32, w2: u32, w3: u32) -> [i64; 2] {
        [
            scale_integer(join64(w0, w1), self.low, self.span),
            scale_integer(join64(w2, w3), self.low, self.span),
        ]
    }
}

/// Whether the CPU has the AVX-512 subsets the widest fill paths use (unless
/// `ARR_NO_AVX512` is set, to compare the paths).
#[cfg(target_arch = "x86_64")]
fn avx512() -> bool {
    static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HAS.get_or_init(|| {
        std::env::var_os("ARR_NO_AVX512").is_none()
            && std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && std::arch::is_x86_feature_detected!("avx512vl")
    })
}

/// Identifies one random stream: the 64-bit seed is the key; `stream` goes in counter word 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RandomStream {
    /// The seed, used as the Philox key.
    pub seed: u64,
    /// The stream number, placed in counter word 2 so that streams never share blocks.
    pub stream: u32,
}

impl RandomStream {
    /// Creates the stream `stream` of the generator seeded with `seed`.
    pub fn new(seed: u64, stream: u32) -> Self {
        RandomStream { seed, stream }
    }

    /// Returns the Philox key of this stream.
    #[inline(always)]
    fn key(&self) -> [u32; 2] {
        [self.seed as u32, (self.seed >> 32) as u32]
    }

    /// Returns the value of distribution `dist` at flat index `idx`.
    #[inline(always)]
    fn value_at<D: PairDistribution>(&self, dist: D, idx: u64) -> D::Value {
        let pair = idx / 2;
        let counter = [pair as u32, (pair >> 32) as u32, self.stream, D::TAG];
        let [w0, w1, w2, w3] = philox4x32_10(counter, self.key());
        let [even, odd] = dist.pair(w0, w1, w2, w3);
        if idx.is_multiple_of(2) { even } else { odd }
    }

    /// Standard normal at flat index `idx`.
    pub fn normal_at(&self, idx: u64) -> f64 {
        self.value_at(Normal, idx)
    }

    /// Uniform in [0, 1) at flat index `idx`.
    pub fn uniform_at(&self, idx: u64) -> f64 {
        self.value_at(Uniform, idx)
    }

    /// Integer uniform in [low, high) at `idx`; an empty range (high <= low) gives `low`.
    pub fn integers_at(&self, idx: u64, low: i64, high: i64) -> i64 {
        match span(low, high) {
            0 => low,
            span => self.value_at(Integers { low, span }, idx),
        }
    }

    /// Fills `out` with the standard normals at indices `start`, `start + 1`, and so on.
    ///
    /// The values are bitwise the same as those of [`RandomStream::normal_at`].
    pub fn fill_normal(&self, start: u64, out: &mut [f64]) {
        self.fill(Normal, start, out);
    }

    /// Fills `out` with the uniforms in [0, 1) at indices `start`, `start + 1`, and so on.
    ///
    /// The values are bitwise the same as those of [`RandomStream::uniform_at`].
    pub fn fill_uniform(&self, start: u64, out: &mut [f64]) {
        self.fill(Uniform, start, out);
    }

    /// Fills `out` with the integers in [low, high) at indices `start`, `start + 1`, and so on.
    ///
    /// The values are the same as those of [`RandomStream::integers_at`]; an empty range
    /// (high <= low) fills `out` with `low`.
    pub fn fill_integers(&self, start: u64, low: i64, high: i64, out: &mut [i64]) {
        match span(low, high) {
            0 => out.fill(low),
            span => self.fill(Integers { low, span }, start, out),
        }
    }

    /// Fills `out` with the normals at indices `start`, `start + step`, `start + 2 * step`, ...
    /// (`step` may be negative; every index must be non-negative). Bitwise the same values as
    /// [`RandomStream::normal_at`]; only the elements asked for are generated.
    pub fn fill_normal_strided(&self, start: u64, step: i64, out: &mut [f64]) {
        self.strided(Normal, start, step, out);
    }

    /// Uniforms at `start + k * step`, like [`RandomStream::fill_normal_strided`].
    pub fn fill_uniform_strided(&self, start: u64, step: i64, out: &mut [f64]) {
        self.strided(Uniform, start, step, out);
    }

    /// Integers at `start + k * step`, like [`RandomStream::fill_normal_strided`].
    pub fn fill_integers_strided(
        &self,
        start: u64,
        step: i64,
        low: i64,
        high: i64,
        out: &mut [i64],
    ) {
        match span(low, high) {
            0 => out.fill(low),
            span => self.strided(Integers { low, span }, start, step, out),
        }
    }

    fn strided<D: PairDistribution>(&self, dist: D, start: u64, step: i64, out: &mut [D::Value]) {
        if step == 1 {
            return self.fill(dist, start, out);
        }
        #[cfg(target_arch = "x86_64")]
        if avx512() {
            // SAFETY: `strided_avx512` only requires AVX-512 F/DQ/VL, which the CPU has.
            unsafe { self.strided_avx512(dist, start, step, out) };
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: `strided_avx2` only requires AVX2, which the running CPU was just found to have.
            unsafe { self.strided_avx2(dist, start, step, out) };
            return;
        }
        self.strided_lanes(dist, start, step, out);
    }

    /// Compiles [`RandomStream::strided_lanes`] with AVX-512 enabled (the same IEEE
    /// operations in the same order as every other path, so bitwise the same values; the
    /// vectors are twice as wide as AVX2's).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,avx512f,avx512dq,avx512vl")]
    fn strided_avx512<D: PairDistribution>(
        &self,
        dist: D,
        start: u64,
        step: i64,
        out: &mut [D::Value],
    ) {
        self.strided_lanes(dist, start, step, out);
    }

    /// Compiles [`RandomStream::fill_pairs`] with AVX-512 enabled (see `strided_avx512`).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,avx512f,avx512dq,avx512vl")]
    fn fill_avx512<D: PairDistribution>(&self, dist: D, start: u64, out: &mut [D::Value]) {
        self.fill_pairs(dist, start, out);
    }

    /// Compiles [`RandomStream::strided_lanes`] with AVX2 enabled.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn strided_avx2<D: PairDistribution>(
        &self,
        dist: D,
        start: u64,
        step: i64,
        out: &mut [D::Value],
    ) {
        self.strided_lanes(dist, start, step, out);
    }

    /// Computes `LANES` indices at a time: each lane's pair block, keeping the even or odd
    /// member as its index asks. Whole groups are written through fixed-length arrays so every
    /// lane loop vectorizes; a last, partial group computes a few indices past the end into a
    /// buffer and keeps the ones asked for. An even `step` keeps the parity of `start` for
    /// every index, so that member is taken without a per-lane choice.
    ///
    /// The helpers are functions forced inline rather than closures, so that all of this is
    /// compiled with the target features of the caller (see `fill_pairs`).
    #[inline(always)]
    fn strided_lanes<D: PairDistribution>(
        &self,
        dist: D,
        start: u64,
        step: i64,
        out: &mut [D::Value],
    ) {
        let step_u = step as u64;
        let (groups, rest) = out.as_chunks_mut::<LANES>();
        let mut first = start;
        for values in groups {
            *values = self.strided_group(dist, first, step_u);
            first = first.wrapping_add(step_u.wrapping_mul(LANES as u64));
        }
        if !rest.is_empty() {
            let values = self.strided_group(dist, first, step_u);
            rest.copy_from_slice(&values[..rest.len()]);
        }
    }

    /// The values of `dist` at the `LANES` indices `first + lane * step`.
    #[inline(always)]
    fn strided_group<D: PairDistribution>(
        &self,
        dist: D,
        first: u64,
        step: u64,
    ) -> [D::Value; LANES] {
        let mut pairs = [0u64; LANES];
        let mut odd = [false; LANES];
        for lane in 0..LANES {
            let idx = first.wrapping_add(step.wrapping_mul(lane as u64));
            pairs[lane] = idx >> 1;
            odd[lane] = idx & 1 == 1;
        }
        let [w0, w1, w2, w3] = philox_lanes_at(pairs, self.stream, D::TAG, self.key());
        let mut evens = [D::Value::default(); LANES];
        let mut odds = [D::Value::default(); LANES];
        for sub in 0..LANES / TRANSFORM_LANES {
            for j in 0..TRANSFORM_LANES {
                let lane = sub * TRANSFORM_LANES + j;
                [evens[lane], odds[lane]] = dist.pair(
                    w0[lane] as u32,
                    w1[lane] as u32,
                    w2[lane] as u32,
                    w3[lane] as u32,
                );
            }
        }
        if step.is_multiple_of(2) {
            // Every index has the parity of `first`.
            if odd[0] { odds } else { evens }
        } else {
            for lane in 0..LANES {
                evens[lane] = if odd[lane] { odds[lane] } else { evens[lane] };
            }
            evens
        }
    }

    /// Fills `out` with the values of `dist` at indices `start`, `start + 1`, and so on, using
    /// AVX2 vector instructions when the running CPU has them.
    ///
    /// Both paths perform the same IEEE operations in the same order (the compiler never fuses
    /// or reorders floating-point operations), so they give bitwise the same values.
    fn fill<D: PairDistribution>(&self, dist: D, start: u64, out: &mut [D::Value]) {
        #[cfg(target_arch = "x86_64")]
        if avx512() {
            // SAFETY: `fill_avx512` only requires AVX-512 F/DQ/VL, which the CPU has.
            unsafe { self.fill_avx512(dist, start, out) };
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: `fill_avx2` only requires AVX2, which the running CPU was just found to have.
            unsafe { self.fill_avx2(dist, start, out) };
            return;
        }
        self.fill_pairs(dist, start, out);
    }

    /// Compiles [`RandomStream::fill_pairs`] with AVX2 enabled, which doubles the width of the
    /// vector instructions the compiler uses for the Philox rounds and the Box–Muller transform.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn fill_avx2<D: PairDistribution>(&self, dist: D, start: u64, out: &mut [D::Value]) {
        self.fill_pairs(dist, start, out);
    }

    /// Fills `out` with the values of `dist` at indices `start`, `start + 1`, and so on.
    ///
    /// Each block is computed once. Groups of `LANES` pairs go through [`philox_lanes`] and a
    /// loop over lanes that the compiler vectorizes; the groups cut by either end of the range
    /// (an odd `start`, a length that is not a whole number of groups) are computed whole into
    /// a buffer and copied in part, except that a lone pair takes the cheaper scalar path.
    ///
    /// The helpers are functions forced inline rather than closures, so that all of this is
    /// compiled as part of [`RandomStream::fill_avx2`] with its target features.
    #[inline(always)]
    fn fill_pairs<D: PairDistribution>(&self, dist: D, start: u64, out: &mut [D::Value]) {
        if out.is_empty() {
            return;
        }
        let mut rest = out;
        let mut pair = start / 2;
        if start % 2 == 1 {
            let (head, tail) = rest.split_at_mut(rest.len().min(2 * LANES - 1));
            self.partial_group(dist, pair, 1, head);
            rest = tail;
            pair = pair.wrapping_add(LANES as u64);
        }
        let (groups, rest) = rest.as_chunks_mut::<{ 2 * LANES }>();
        for values in groups {
            self.group(dist, pair, values);
            pair = pair.wrapping_add(LANES as u64);
        }
        if !rest.is_empty() {
            self.partial_group(dist, pair, 0, rest);
        }
    }

    /// Writes the values of `dist` at the indices of the `LANES` pairs from `pair` on into
    /// `values`, in index order.
    #[inline(always)]
    fn group<D: PairDistribution>(&self, dist: D, pair: u64, values: &mut [D::Value; 2 * LANES]) {
        let [w0, w1, w2, w3] = philox_lanes(pair, self.stream, D::TAG, self.key());
        for sub in 0..LANES / TRANSFORM_LANES {
            for j in 0..TRANSFORM_LANES {
                let lane = sub * TRANSFORM_LANES + j;
                let [even, odd] = dist.pair(
                    w0[lane] as u32,
                    w1[lane] as u32,
                    w2[lane] as u32,
                    w3[lane] as u32,
                );
                values[2 * lane] = even;
                values[2 * lane + 1] = odd;
            }
        }
    }

    /// Fills `part` with the values of `dist` at the indices of the group of `LANES` pairs from
    /// `pair` on, leaving out its first `skip` values; `skip + part.len()` is at most
    /// `2 * LANES`.
    #[inline(always)]
    fn partial_group<D: PairDistribution>(
        &self,
        dist: D,
        pair: u64,
        skip: usize,
        part: &mut [D::Value],
    ) {
        let mut values = [D::Value::default(); 2 * LANES];
        if skip + part.len() <= 2 {
            let counter = [pair as u32, (pair >> 32) as u32, self.stream, D::TAG];
            let [w0, w1, w2, w3] = philox4x32_10(counter, self.key());
            let [even, odd] = dist.pair(w0, w1, w2, w3);
            values[0] = even;
            values[1] = odd;
        } else {
            self.group(dist, pair, &mut values);
        }
        for (slot, value) in part.iter_mut().zip(values.iter().skip(skip)) {
            *slot = *value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Random123 known-answer vectors for philox4x32_10: counter, key, expected output.
    const KAT: [([u32; 4], [u32; 2], [u32; 4]); 3] = [
        (
            [0, 0, 0, 0],
            [0, 0],
            [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8],
        ),
        (
            [0xffff_ffff; 4],
            [0xffff_ffff; 2],
            [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd],
        ),
        (
            [0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344],
            [0xa409_3822, 0x299f_31d0],
            [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1],
        ),
    ];

    #[test]
    fn strided_matches_per_index() {
        let s = RandomStream::new(11, 3);
        for (start, step, len) in [
            (0u64, 2i64, 37usize),
            (5, 3, 20),
            (100, -7, 14),
            (9, 1, 19),
            (4, 1000, 9),
            (7, 2, 16),
            (1001, -4, 23),
            (3, 2, 8),
            (6, -2, 1),
            (1, 2, 5 * LANES + 3),
            (40_000, -3, 4 * LANES),
        ] {
            let mut v = vec![0.0; len];
            s.fill_normal_strided(start, step, &mut v);
            for (k, x) in v.iter().enumerate() {
                let idx = (start as i64 + step * k as i64) as u64;
                assert_eq!(
                    x.to_bits(),
                    s.normal_at(idx).to_bits(),
                    "start {start} step {step} k {k}"
                );
            }
            let mut u = vec![0.0; len];
            s.fill_uniform_strided(start, step, &mut u);
            let mut i = vec![0i64; len];
            s.fill_integers_strided(start, step, -5, 17, &mut i);
            for k in 0..len {
                let idx = (start as i64 + step * k as i64) as u64;
                assert_eq!(u[k].to_bits(), s.uniform_at(idx).to_bits());
                assert_eq!(i[k], s.integers_at(idx, -5, 17));
            }
        }
    }

    #[test]
    fn known_answer_vectors() {
        for (ctr, key, expected) in KAT {
            assert_eq!(philox4x32_10(ctr, key), expected);
        }
    }

    /// Streams used by the comparison tests, including extreme seeds and stream numbers.
    fn streams() -> [RandomStream; 3] {
        [
            RandomStream::new(0, 0),
            RandomStream::new(42, 7),
            RandomStream::new(u64::MAX, u32::MAX),
        ]
    }

    #[test]
    fn fill_matches_per_index() {
        for rs in streams() {
            for start in [0u64, 1, 2, 5, 1 << 40, (1 << 33) + 1] {
                for len in (0usize..=2 * LANES + 4).chain([
                    3 * LANES - 1,
                    3 * LANES,
                    4 * LANES + 1,
                    7 * LANES + 3,
                ]) {
                    let mut normals = vec![0.0; len];
                    rs.fill_normal(start, &mut normals);
                    let mut uniforms = vec![0.0; len];
                    rs.fill_uniform(start, &mut uniforms);
                    let mut ints = vec![0i64; len];
                    rs.fill_integers(start, -5, 1000, &mut ints);
                    let mut wide = vec![0i64; len];
                    rs.fill_integers(start, i64::MIN, i64::MAX, &mut wide);
                    for (i, idx) in (start..start + len as u64).enumerate() {
                        assert_eq!(normals[i].to_bits(), rs.normal_at(idx).to_bits());
                        assert_eq!(uniforms[i].to_bits(), rs.uniform_at(idx).to_bits());
                        assert_eq!(ints[i], rs.integers_at(idx, -5, 1000));
                        assert_eq!(wide[i], rs.integers_at(idx, i64::MIN, i64::MAX));
                    }
                }
            }
        }
    }

    #[test]
    fn portable_path_matches_per_index() {
        // `fill` may take the AVX2 path; this checks the path every CPU can run.
        let rs = RandomStream::new(0xdead_beef_0bad_cafe, 3);
        for start in [0u64, 1, 6, 33] {
            for len in [0usize, 1, 15, 16, 17, 40, 4 * LANES + 3] {
                let mut normals = vec![0.0; len];
                rs.fill_pairs(Normal, start, &mut normals);
                let mut uniforms = vec![0.0; len];
                rs.fill_pairs(Uniform, start, &mut uniforms);
                let mut ints = vec![0i64; len];
                rs.fill_pairs(Integers { low: -7, span: 19 }, start, &mut ints);
                for (i, idx) in (start..start + len as u64).enumerate() {
                    assert_eq!(normals[i].to_bits(), rs.normal_at(idx).to_bits());
                    assert_eq!(uniforms[i].to_bits(), rs.uniform_at(idx).to_bits());
                    assert_eq!(ints[i], rs.integers_at(idx, -7, 12));
                }
            }
        }
    }

    #[test]
    fn lanes_match_single_blocks() {
        let key = [0x0123_4567, 0x89ab_cdef];
        let start = u64::from(u32::MAX) - 3;
        let lanes = philox_lanes(start, 5, 1, key);
        for (lane, pair) in (start..start + LANES as u64).enumerate() {
            let block = philox4x32_10([pair as u32, (pair >> 32) as u32, 5, 1], key);
            let from_lanes = [0, 1, 2, 3].map(|word| lanes[word][lane]);
            assert_eq!(from_lanes, block.map(u64::from));
        }
    }

    /// Returns the distance in units in the last place between two finite doubles of equal sign.
    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    /// A simple deterministic sequence of 64-bit words for the accuracy tests.
    fn words(n: usize) -> impl Iterator<Item = u64> {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        (0..n).map(move |_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state
        })
    }

    #[test]
    fn logarithm_is_within_one_ulp() {
        let edges = [
            1.0,
            0.5,
            TWO_POW_MINUS_53,
            1.0 - TWO_POW_MINUS_53,
            // The boundary of the reduction to [sqrt(2)/2, sqrt(2)), and its neighbour below.
            f64::from_bits(0x3fe6_a09e_0000_0000),
            f64::from_bits(0x3fe6_a09d_ffff_ffff),
        ];
        let random = words(200_000).map(|w| ((w >> 11) + 1) as f64 * TWO_POW_MINUS_53);
        for v in edges.into_iter().chain(random) {
            assert!(ulps(ln_normal(v), v.ln()) <= 1, "ln({v:e})");
        }
        assert_eq!(ln_normal(1.0).to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn sine_and_cosine_are_accurate() {
        let edges = [
            0,
            1,
            1 << 50,
            (1 << 50) - 1,
            1 << 51,
            1 << 52,
            3 << 51,
            (1 << 53) - 1,
        ];
        for n in edges.into_iter().chain(words(200_000).map(|w| w >> 11)) {
            let (sin, cos) = sin_cos_turn(n);
            let (sin_std, cos_std) =
                (std::f64::consts::TAU * (n as f64 * TWO_POW_MINUS_53)).sin_cos();
            assert!((sin - sin_std).abs() < 2e-15, "sin at {n}");
            assert!((cos - cos_std).abs() < 2e-15, "cos at {n}");
        }
        assert_eq!(sin_cos_turn(0), (0.0, 1.0));
        assert_eq!(sin_cos_turn(1 << 51), (1.0, 0.0));
        assert_eq!(sin_cos_turn(1 << 52), (0.0, -1.0));
        assert_eq!(sin_cos_turn(3 << 51), (-1.0, 0.0));
    }

    #[test]
    fn unit53_is_exact() {
        for (hi, lo) in [
            (0, 0),
            (u32::MAX, u32::MAX),
            (1, 0),
            (0, 1 << 11),
            (0x8000_0000, 0),
        ] {
            let expected = bits53(hi, lo) as f64 * 2f64.powi(-53);
            assert_eq!(unit53(hi, lo), expected);
        }
        assert!(unit53(u32::MAX, u32::MAX) < 1.0);
        // A zero uniform gives a zero radius, which must not turn into a negative zero.
        let (even, odd) = box_muller(0, 0, 0, 0);
        assert_eq!((even.to_bits(), odd.to_bits()), (0, 0));
    }

    #[test]
    fn fill_at_the_end_of_the_index_range() {
        let rs = RandomStream::new(3, 1);
        let mut out = [0.0; 3];
        rs.fill_uniform(u64::MAX - 2, &mut out);
        for (i, value) in out.iter().enumerate() {
            assert_eq!(
                value.to_bits(),
                rs.uniform_at(u64::MAX - 2 + i as u64).to_bits()
            );
        }
    }

    #[test]
    fn values_follow_the_documented_construction() {
        let rs = RandomStream::new(0x0123_4567_89ab_cdef, 9);
        let key = [0x89ab_cdef, 0x0123_4567];
        let w = philox4x32_10([3, 0, 9, 1], key);
        let ua = (((w[0] as u64) << 21) ^ ((w[1] as u64) >> 11)) as f64 * 2f64.powi(-53);
        let ub = (((w[2] as u64) << 21) ^ ((w[3] as u64) >> 11)) as f64 * 2f64.powi(-53);
        assert_eq!(rs.uniform_at(6), ua);
        assert_eq!(rs.uniform_at(7), ub);
        let w = philox4x32_10([3, 0, 9, 0], key);
        let ua = (((w[0] as u64) << 21) ^ ((w[1] as u64) >> 11)) as f64 * 2f64.powi(-53);
        let ub = (((w[2] as u64) << 21) ^ ((w[3] as u64) >> 11)) as f64 * 2f64.powi(-53);
        let r = (-2.0 * (1.0 - ua).ln()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * ub;
        assert!((rs.normal_at(6) - r * theta.cos()).abs() < 1e-12);
        assert!((rs.normal_at(7) - r * theta.sin()).abs() < 1e-12);
        let w = philox4x32_10([3, 0, 9, 2], key);
        let u = ((w[2] as u64) << 32) | w[3] as u64;
        let expected = 10 + ((u as u128 * 90) >> 64) as i64;
        assert_eq!(rs.integers_at(7, 10, 100), expected);
    }

    #[test]
    fn streams_and_distributions_differ() {
        let a = RandomStream::new(1, 0);
        let b = RandomStream::new(1, 1);
        let c = RandomStream::new(2, 0);
        assert_ne!(a.uniform_at(0), b.uniform_at(0));
        assert_ne!(a.uniform_at(0), c.uniform_at(0));
        // The uniform and the normal at the same index come from different blocks.
        let w = philox4x32_10([0, 0, 0, TAG_NORMAL], [1, 0]);
        assert_ne!(a.uniform_at(0), unit53(w[0], w[1]));
    }

    #[test]
    fn normal_moments() {
        let rs = RandomStream::new(12345, 0);
        let n = 1_000_000;
        let mut out = vec![0.0; n];
        rs.fill_normal(0, &mut out);
        let mean = out.iter().sum::<f64>() / n as f64;
        let var = out.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.01, "variance {var}");
        assert!(out.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn uniform_range_and_mean() {
        let rs = RandomStream::new(99, 3);
        let n = 100_000;
        let mut out = vec![0.0; n];
        rs.fill_uniform(1, &mut out);
        assert!(out.iter().all(|&u| (0.0..1.0).contains(&u)));
        let mean = out.iter().sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.01, "mean {mean}");
    }

    #[test]
    fn integers_stay_in_range() {
        let rs = RandomStream::new(7, 2);
        let mut out = vec![0i64; 10_000];
        rs.fill_integers(0, -3, 4, &mut out);
        assert!(out.iter().all(|&v| (-3..4).contains(&v)));
        for v in -3..4 {
            assert!(out.contains(&v), "{v} never drawn");
        }
        rs.fill_integers(5, 17, 18, &mut out);
        assert!(out.iter().all(|&v| v == 17));
        rs.fill_integers(0, i64::MIN, i64::MAX, &mut out);
        assert!(out.iter().all(|&v| v != i64::MAX));
        assert!(out.iter().any(|&v| v < 0) && out.iter().any(|&v| v > 0));
        rs.fill_integers(0, i64::MAX - 1, i64::MAX, &mut out);
        assert!(out.iter().all(|&v| v == i64::MAX - 1));
    }

    #[test]
    fn empty_integer_range_gives_low() {
        let rs = RandomStream::new(7, 2);
        assert_eq!(rs.integers_at(3, 5, 5), 5);
        assert_eq!(rs.integers_at(3, 5, -5), 5);
        assert_eq!(rs.integers_at(3, i64::MAX, i64::MIN), i64::MAX);
        let mut out = [0i64; 3];
        rs.fill_integers(1, 9, 2, &mut out);
        assert_eq!(out, [9, 9, 9]);
    }
}
