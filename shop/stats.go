package shop

import "math"

// The statistics of experiments: confidence intervals for rates and means,
// the uplift of one arm over another with its interval, and the sample size
// a fixed-horizon test needs. Each is a small function of counts, so it can
// be checked against values worked out by hand.

// z95 is the two-sided 95 % normal quantile; z80 the one-sided quantile of
// 80 % power.
const (
	z95 = 1.959963984540054
	z80 = 0.8416212335729143
)

// Interval is an estimate with its 95 % confidence interval.
type Interval struct {
	Value, Low, High float64
}

// Contains reports whether x lies inside the interval.
func (i Interval) Contains(x float64) bool { return i.Low <= x && x <= i.High }

// Wilson is the rate x/n with its 95 % Wilson score interval, which stays
// inside [0, 1] and behaves for small counts and rates near 0.
func Wilson(x, n int64) Interval {
	if n <= 0 {
		return Interval{}
	}
	p := float64(x) / float64(n)
	nf := float64(n)
	z2 := z95 * z95
	den := 1 + z2/nf
	mid := (p + z2/(2*nf)) / den
	half := z95 / den * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return Interval{Value: p, Low: math.Max(0, mid-half), High: math.Min(1, mid+half)}
}

// Mean is the mean of n values with the given sum and sum of squares, with
// a normal 95 % interval from the sample variance.
func Mean(sum, sumSq float64, n int64) Interval {
	if n <= 0 {
		return Interval{}
	}
	m := sum / float64(n)
	se := math.Sqrt(sampleVariance(sum, sumSq, n) / float64(n))
	return Interval{Value: m, Low: m - z95*se, High: m + z95*se}
}

// sampleVariance is the unbiased variance of n values from their sums.
func sampleVariance(sum, sumSq float64, n int64) float64 {
	if n < 2 {
		return 0
	}
	nf := float64(n)
	v := (sumSq - sum*sum/nf) / (nf - 1)
	return math.Max(0, v)
}

// Sample is what an arm's metric needs for comparisons: its mean and the
// variance of that mean.
type Sample struct {
	Mean, VarMean float64
	N             int64
}

// RateSample describes a rate x/n.
func RateSample(x, n int64) Sample {
	if n <= 0 {
		return Sample{}
	}
	p := float64(x) / float64(n)
	return Sample{Mean: p, VarMean: p * (1 - p) / float64(n), N: n}
}

// MeanSample describes a mean of n values from their sums.
func MeanSample(sum, sumSq float64, n int64) Sample {
	if n <= 0 {
		return Sample{}
	}
	return Sample{Mean: sum / float64(n), VarMean: sampleVariance(sum, sumSq, n) / float64(n), N: n}
}

// Uplift is the relative change of a over b (a/b − 1) with a 95 % interval
// by the delta method: Var(a/b) ≈ (a/b)² (Var a/a² + Var b/b²). ok is false
// when b is zero or either side has no data.
func Uplift(a, b Sample) (Interval, bool) {
	if a.N == 0 || b.N == 0 || b.Mean <= 0 {
		return Interval{}, false
	}
	r := a.Mean / b.Mean
	rel := b.VarMean / (b.Mean * b.Mean)
	if a.Mean > 0 {
		rel += a.VarMean / (a.Mean * a.Mean)
	} else {
		// a/b is 0: its variance is Var a / b².
		return Interval{Value: -1, Low: -1 - z95*math.Sqrt(a.VarMean)/b.Mean, High: -1 + z95*math.Sqrt(a.VarMean)/b.Mean}, true
	}
	se := r * math.Sqrt(rel)
	return Interval{Value: r - 1, Low: r - 1 - z95*se, High: r - 1 + z95*se}, true
}

// Difference is a − b with its 95 % interval (Welch's unpooled standard
// error; for rates the two-proportion normal interval).
func Difference(a, b Sample) Interval {
	d := a.Mean - b.Mean
	se := math.Sqrt(a.VarMean + b.VarMean)
	return Interval{Value: d, Low: d - z95*se, High: d + z95*se}
}

// SampleSize is how many visitors each of two arms needs for a two-sided
// test at 5 % to detect, with 80 % power, a relative change mde (0.1 for
// 10 %) of a conversion rate p: n = (z₀.₉₇₅ + z₀.₈)² (p₁q₁ + p₂q₂) / (p₂ − p₁)².
// Zero when the inputs make no sense.
func SampleSize(p, mde float64) int64 {
	p2 := p * (1 + mde)
	if p <= 0 || p >= 1 || p2 <= 0 || p2 >= 1 || mde == 0 {
		return 0
	}
	d := p2 - p
	n := (z95 + z80) * (z95 + z80) * (p*(1-p) + p2*(1-p2)) / (d * d)
	return int64(math.Ceil(n))
}
