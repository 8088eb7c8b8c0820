args: -q codegen_spill_slots.ebq
