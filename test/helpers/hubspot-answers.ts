/** A HubSpot 400 for data HubSpot refuses, as tests inject it with the sandbox's `failNext`. */
export const validationErrorBody = {
  status: 'error',
  message: 'Property values were not valid',
  category: 'VALIDATION_ERROR',
  correlationId: 'injected-by-test',
};
