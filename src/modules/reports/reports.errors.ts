import { AppException } from '../../common/errors/app.exception';

export const monthNotOver = (month: string) =>
  new AppException(422, 'MONTH_NOT_OVER', `The month ${month} is not over yet: only a past month can be frozen.`, [{ field: 'month', message: 'must be a month already over' }]);
export const periodReversed = () =>
  new AppException(400, 'VALIDATION_FAILED', 'The period ends before it starts.', [{ field: 'to', message: 'to must not be before from' }]);
