"""Tools of the no-show agent: the appointment frame, features known the day before, and the model."""
