package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// Bounds of a banner's creatives.
const (
	MaxCreatives        = 8
	MaxCreativeTitle    = 80
	MaxCreativeText     = 240
	MaxCreativeURL      = 500
	CreativeEventPrefix = "creative:" // an event's Query naming the creative shown or clicked
)

// CreativeQuery is the Query of impression and click events of a banner's
// creative; the event's Slot names the banner.
func CreativeQuery(id int) string { return CreativeEventPrefix + strconv.Itoa(id) }

// ValidateCreative checks a creative's sizes and that it says and links
// something; the link's and image's form are checked where they are typed.
func ValidateCreative(c *Creative) error {
	f := map[string]string{}
	c.Title, c.Text, c.Image, c.Link = strings.TrimSpace(c.Title), strings.TrimSpace(c.Text), strings.TrimSpace(c.Image), strings.TrimSpace(c.Link)
	switch n := len([]rune(c.Title)); {
	case n == 0:
		f["title"] = "Give the creative a title."
	case n > MaxCreativeTitle:
		f["title"] = fmt.Sprintf("Use at most %d characters.", MaxCreativeTitle)
	}
	if len([]rune(c.Text)) > MaxCreativeText {
		f["text"] = fmt.Sprintf("Use at most %d characters.", MaxCreativeText)
	}
	if len(c.Image) > MaxCreativeURL {
		f["image"] = fmt.Sprintf("Use an address of at most %d characters.", MaxCreativeURL)
	}
	switch {
	case c.Link == "":
		f["link"] = "Say where the creative leads, such as /c/outdoor."
	case len(c.Link) > MaxCreativeURL:
		f["link"] = fmt.Sprintf("Use an address of at most %d characters.", MaxCreativeURL)
	}
	if len(f) > 0 {
		return &ValidationError{Fields: f}
	}
	return nil
}

// SaveCreative adds a creative to a draft banner slot (c.ID 0) or replaces
// the one with c.ID.
func (db *DB) SaveCreative(ctx context.Context, pageKey string, expectRev int, actor string, slotID uint, c *Creative) error {
	if err := ValidateCreative(c); err != nil {
		return err
	}
	return db.editCreatives(ctx, pageKey, expectRev, actor, slotID, func(s *Slot) (change, error) {
		if c.ID == 0 {
			if len(s.Creatives) >= MaxCreatives {
				return change{}, &ValidationError{Fields: map[string]string{"title": fmt.Sprintf("A banner holds at most %d creatives; remove one first.", MaxCreatives)}}
			}
			for _, x := range s.Creatives {
				c.ID = max(c.ID, x.ID)
			}
			c.ID++
			s.Creatives = append(s.Creatives, *c)
			return change{"creative.create", slotName(*s) + " #" + strconv.Itoa(c.ID), "“" + c.Title + "” → " + c.Link}, nil
		}
		for i := range s.Creatives {
			if s.Creatives[i].ID == c.ID {
				detail := creativeChanges(s.Creatives[i], *c)
				s.Creatives[i] = *c
				return change{"creative.update", slotName(*s) + " #" + strconv.Itoa(c.ID), detail}, nil
			}
		}
		return change{}, fmt.Errorf("models: creative %d of slot %d: %w", c.ID, slotID, ErrNotFound)
	})
}

// DeleteCreative removes a creative from a draft banner slot.
func (db *DB) DeleteCreative(ctx context.Context, pageKey string, expectRev int, actor string, slotID uint, id int) error {
	return db.editCreatives(ctx, pageKey, expectRev, actor, slotID, func(s *Slot) (change, error) {
		for i, c := range s.Creatives {
			if c.ID == id {
				s.Creatives = append(s.Creatives[:i:i], s.Creatives[i+1:]...)
				return change{"creative.delete", slotName(*s) + " #" + strconv.Itoa(id), "“" + c.Title + "”"}, nil
			}
		}
		return change{}, fmt.Errorf("models: creative %d of slot %d: %w", id, slotID, ErrNotFound)
	})
}

// editCreatives changes the creatives of one banner slot of a page's draft.
func (db *DB) editCreatives(ctx context.Context, pageKey string, expectRev int, actor string, slotID uint, fn func(s *Slot) (change, error)) error {
	return db.editDraft(ctx, pageKey, expectRev, actor, func(tx *gorm.DB, p *Page) (change, error) {
		var s Slot
		if err := tx.Where("page_id = ?", p.ID).First(&s, slotID).Error; err != nil {
			return change{}, notFound(err, "find slot %d", slotID)
		}
		if s.Type != SlotBanner {
			return change{}, fmt.Errorf("models: slot %d is a %s, not a banner: %w", slotID, s.Type, ErrInvalid)
		}
		ch, err := fn(&s)
		if err != nil {
			return change{}, err
		}
		if err := tx.Model(&Slot{}).Where("id = ?", s.ID).Select("Creatives").Updates(&s).Error; err != nil {
			return change{}, fmt.Errorf("models: save creatives of slot %d: %w", s.ID, err)
		}
		return ch, nil
	})
}

// creativeChanges says which fields of a creative an edit changed.
func creativeChanges(old, next Creative) string {
	var parts []string
	for _, f := range []struct{ name, a, b string }{
		{"title", old.Title, next.Title}, {"text", old.Text, next.Text}, {"image", old.Image, next.Image},
		{"link", old.Link, next.Link}, {"category", old.Category, next.Category},
	} {
		if f.a != f.b {
			parts = append(parts, f.name+" "+auditValue(f.a)+" → "+auditValue(f.b))
		}
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, "; ")
}
