package models

import (
	"context"
	"fmt"
)

// ActiveProductKeys returns the external ids of every active product.
func (db *DB) ActiveProductKeys(ctx context.Context) (map[string]bool, error) {
	var ids []string
	if err := db.R.WithContext(ctx).Model(&Product{}).Where("active = ?", true).Pluck("external_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("models: active product ids: %w", err)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// SetCatalog makes the products whose external ids are listed active and
// every other product inactive, as when a file is the full catalog. It
// returns how many products it deactivated.
func (b *BulkTx) SetCatalog(listed map[string]bool) (int64, error) {
	var rows []struct {
		ID         uint
		ExternalID string
		Active     bool
	}
	if err := b.tx.Model(&Product{}).Select("id, external_id, active").Find(&rows).Error; err != nil {
		return 0, fmt.Errorf("models: read catalog: %w", err)
	}
	var off, on []uint
	for _, r := range rows {
		switch {
		case listed[r.ExternalID] && !r.Active:
			on = append(on, r.ID)
		case !listed[r.ExternalID] && r.Active:
			off = append(off, r.ID)
		}
	}
	if err := b.setActive(off, on); err != nil {
		return 0, err
	}
	return int64(len(off)), nil
}

// setActive takes the products off off sale and puts those of on on sale.
func (b *BulkTx) setActive(off, on []uint) error {
	for _, set := range []struct {
		ids    []uint
		active bool
	}{{off, false}, {on, true}} {
		for start := 0; start < len(set.ids); start += bulkBatch {
			ids := set.ids[start:min(start+bulkBatch, len(set.ids))]
			if err := b.tx.Model(&Product{}).Where("id IN ?", ids).Update("active", set.active).Error; err != nil {
				return fmt.Errorf("models: set %d products active=%v: %w", len(ids), set.active, err)
			}
		}
	}
	return nil
}

// SetActive sets whether the products named by ExternalID are for sale,
// touching only those whose state changes.
func (b *BulkTx) SetActive(states map[string]bool) error {
	if len(states) == 0 {
		return nil
	}
	var rows []struct {
		ID         uint
		ExternalID string
		Active     bool
	}
	if err := b.tx.Model(&Product{}).Select("id, external_id, active").Find(&rows).Error; err != nil {
		return fmt.Errorf("models: read catalog: %w", err)
	}
	var off, on []uint
	for _, r := range rows {
		if want, ok := states[r.ExternalID]; ok && want != r.Active {
			if want {
				on = append(on, r.ID)
			} else {
				off = append(off, r.ID)
			}
		}
	}
	return b.setActive(off, on)
}
