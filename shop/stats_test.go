package shop

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// The Wilson intervals of Newcombe (1998), Table I, method 3.
func TestWilsonMatchesNewcombe(t *testing.T) {
	tests := []struct {
		x, n      int64
		low, high float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
	}
	for _, tt := range tests {
		got := Wilson(tt.x, tt.n)
		if !near(got.Low, tt.low, 0.00005) || !near(got.High, tt.high, 0.00005) {
			t.Errorf("Wilson(%d, %d) = [%.4f, %.4f], want [%.4f, %.4f]", tt.x, tt.n, got.Low, got.High, tt.low, tt.high)
		}
	}
	if got := Wilson(3, 0); got != (Interval{}) {
		t.Errorf("Wilson with no trials = %+v, want zero", got)
	}
}

func TestMeanInterval(t *testing.T) {
	// 1, 2, 3, 4: mean 2.5, sample variance 5/3, standard error √(5/12).
	got := Mean(10, 30, 4)
	half := 1.959963984540054 * math.Sqrt(5.0/12)
	if !near(got.Value, 2.5, 1e-12) || !near(got.Low, 2.5-half, 1e-12) || !near(got.High, 2.5+half, 1e-12) {
		t.Errorf("Mean = %+v, want 2.5 ± %.4f", got, half)
	}
	if !near(half, 1.2652, 0.0001) {
		t.Errorf("half width %.4f, want 1.2652", half)
	}
}

func TestUpliftDeltaMethod(t *testing.T) {
	// 12 % against 10 % on 1000 visitors each: +20 %, interval worked out
	// by hand as 0.2 ± 1.96 · 1.2 · √(0.88/120 + 0.9/100) = [−10.06 %, +50.06 %].
	got, ok := Uplift(RateSample(120, 1000), RateSample(100, 1000))
	if !ok || !near(got.Value, 0.2, 1e-9) || !near(got.Low, -0.1006, 0.0001) || !near(got.High, 0.5006, 0.0001) {
		t.Errorf("Uplift = %+v, %v; want 0.2 in [-0.1006, 0.5006]", got, ok)
	}
	if _, ok := Uplift(RateSample(5, 100), RateSample(0, 100)); ok {
		t.Error("uplift over a zero baseline must not be reported")
	}
	if got, ok := Uplift(RateSample(0, 100), RateSample(10, 100)); !ok || got.Value != -1 {
		t.Errorf("uplift of nothing = %+v, %v; want -100 %%", got, ok)
	}
}

func TestDifferenceWelch(t *testing.T) {
	a, b := MeanSample(10, 30, 4), MeanSample(4, 6, 4) // 1,2,3,4 and 0,1,1,2: means 2.5 and 1, variances 5/3 and 2/3
	got := Difference(a, b)
	se := math.Sqrt(5.0/12 + (2.0/3)/4)
	if !near(got.Value, 1.5, 1e-12) || !near(got.High-got.Value, 1.959963984540054*se, 1e-12) {
		t.Errorf("Difference = %+v, want 1.5 ± 1.96·%.4f", got, se)
	}
	if got.Contains(0) {
		t.Errorf("interval %+v should exclude 0", got)
	}
}

func TestSampleSize(t *testing.T) {
	tests := []struct {
		p, mde float64
		want   int64
	}{
		{0.10, 0.20, 3839}, // (1.96+0.8416)² (0.09+0.1056) / 0.02² = 3838.1
		{0.05, 0.10, 31231},
		{0.5, 1.5, 0}, // 75 %·… above 1: no sense
		{0, 0.1, 0},
	}
	for _, tt := range tests {
		if got := SampleSize(tt.p, tt.mde); got != tt.want {
			t.Errorf("SampleSize(%v, %v) = %d, want %d", tt.p, tt.mde, got, tt.want)
		}
	}
}
