/** What a journal note records. */
export enum JournalCategory {
  Interview = 'interview',
  PhoneCall = 'phone_call',
  HomeVisit = 'home_visit',
  PartnerExchange = 'partner_exchange',
  Administrative = 'administrative',
  Other = 'other',
}
