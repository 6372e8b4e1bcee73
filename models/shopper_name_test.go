package models

import (
	"context"
	"errors"
	"testing"
)

// TestAShoppersNameReadsAsItIsWritten: registration refused control
// characters in a name, but took a right-to-left override ("Eve\u202etxt.exe"
// reads "Eveexe.txt"), a line separator, and a name of only zero-width
// characters, which reads as no name. The fourteenth attack registered all
// three. Names written with a zero-width non-joiner (Persian) or an emoji
// joined by a zero-width joiner are still taken.
func TestAShoppersNameReadsAsItIsWritten(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	const pw = "a long enough password 14"
	for i, name := range []string{"Eve\u202etxt.exe", "Ada \u2066Lovelace\u2069", "\u202aAda", "Ada\u2028Lovelace", "Ada\u2029", "\u200b", "\u200c\u200d\ufeff", " \u200b "} {
		_, err := db.CreateShopper(ctx, name, "refused"+string(rune('a'+i))+"@example.com", pw)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Fields["name"] == "" {
			t.Errorf("the name %+q was taken (%v)", name, err)
		}
	}
	for i, name := range []string{"Mehr\u200cdad Rezaei", "Ada 👩\u200d💻", "José Ñúñez", "李小龍", "Zoë O'Neil-Smith"} {
		if _, err := db.CreateShopper(ctx, name, "taken"+string(rune('a'+i))+"@example.com", pw); err != nil {
			t.Errorf("the name %+q was refused: %v", name, err)
		}
	}
}
