package models

import "gorm.io/gorm"

// A model too large for one blob is stored in parts (ModelArtifactPart).
func init() {
	register("202612071130_model_artifact_parts", func(tx *gorm.DB) error {
		return createTables(tx, &ModelArtifactPart{})
	})
}
