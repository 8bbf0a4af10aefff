/** One accused-person record of the calling agency to review under art. 37 (non-punishment of victims, R19). */
export class NonPunishmentReviewItemDto {
  /** localId of the accused-person record. @example "IMP-2025-0007" */
  localId!: string;
  /** The agency itself flagged the person as also registered as a victim (`alsoRegisteredAsVictim`). */
  flaggedByAgency!: boolean;
  /**
   * Victim registrations (any agency, not withdrawn) whose CURP keyed hash equals this person's. Only the
   * number is given for other agencies' registrations, never their identifiers.
   */
  victimRegistrationsWithSameCurp!: number;
  /** localIds of the calling agency's own victim records with the same CURP. */
  ownVictimLocalIds!: string[];
}

/** A page of the art. 37 review list. */
export class NonPunishmentReviewPageDto {
  items!: NonPunishmentReviewItemDto[];
  /** Cursor of the next page; null on the last one. */
  nextCursor!: string | null;
}
