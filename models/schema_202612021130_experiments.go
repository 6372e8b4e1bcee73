package models

import "gorm.io/gorm"

// Experiments: A/B/n tests of layouts and slot strategies, and the arm (or
// control group) every event and order was made in.
func init() {
	register("202612021130_experiments", func(tx *gorm.DB) error {
		if err := createTables(tx, &Experiment{}, &ExperimentArm{}); err != nil {
			return err
		}
		if err := addColumns(tx, &Event{}, "Arm"); err != nil {
			return err
		}
		return addColumns(tx, &Order{}, "Arm")
	})
}
