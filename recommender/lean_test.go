package recommender

import (
	"reflect"
	"testing"
)

// A setting tuning decides outside the blend's vector (the calibrated row,
// the category season, the short-history lean) must survive the blend's
// fit: the fit rebuilt the weights from the vector and dropped the
// calibrated row, so a shop whose report said "calibrated categories →
// 0.25" was served uncalibrated and its blend was fit without it.
func TestTheBlendsFitKeepsTheChoicesOutsideTheBlend(t *testing.T) {
	var from HybridWeights
	fv := reflect.ValueOf(&from).Elem()
	for i := 0; i < fv.NumField(); i++ {
		fv.Field(i).SetFloat(float64(i + 1))
	}
	parts := weightVec(from)
	for c := range parts {
		parts[c] *= 2
	}
	got := withLean(vecWeights(parts), from)
	onlyParts := reflect.ValueOf(vecWeights(weightVec(from)))
	gv := reflect.ValueOf(got)
	for i := 0; i < fv.NumField(); i++ {
		name := fv.Type().Field(i).Name
		want := fv.Field(i).Float()
		if onlyParts.Field(i).Float() != 0 {
			want *= 2 // a part of the blend: the fit's value
		}
		if g := gv.Field(i).Float(); g != want {
			t.Errorf("%s after the blend's fit = %v, want %v", name, g, want)
		}
	}
}
