package models

import "testing"

func TestValidPostcode(t *testing.T) {
	for p, want := range map[string]bool{
		"90210": true, "SW1A 1AA": true, "10115": true, "1234-567": true, "D02 X285": true, "K1A 0B1": true, "123": true,
		"???": false, "": false, "1": false, "12  34": false, "AB-": false, "<script>": false, "12345678901": false, "A B": false,
	} {
		if got := ValidPostcode(p); got != want {
			t.Errorf("ValidPostcode(%q) = %v, want %v", p, got, want)
		}
	}
}
