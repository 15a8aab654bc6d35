import { AppException } from '../../common/errors/app.exception';

export const journalNoteNotFound = () => new AppException(404, 'JOURNAL_NOTE_NOT_FOUND', 'The journal note was not found.');
